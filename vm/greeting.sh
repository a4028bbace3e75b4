# boxlab login greeting (installed as /etc/profile.d/boxlab.sh by vm/provision.sh with BOXLAB_GREET=1).
# shellcheck shell=sh
# Interactive shells only, once per session.
case $- in
  *i*)
    if [ -z "${BOXLAB_GREETED:-}" ]; then
      export BOXLAB_GREETED=1
      printf '\n  \033[1mWelcome to boxlab\033[0m: a course on how containers work, and the runtime it drives.\n\n'
      printf '    sudo boxlab            start the course (lesson menu)\n'
      printf '    sudo boxlab doctor     check this machine: kernel, namespaces, cgroups, tools\n'
      printf '    sudo boxlab run -it busybox sh\n\n'
      printf '  The project is in @BOXLAB_HOME@.\n\n'
    fi
    ;;
esac
