/*
 * boxlab-shim: the tiny per-container supervisor that outlives boxlabd (what conmon is to podman and
 * containerd-shim to docker). It is the parent of the container's init, so it alone can waitpid() it; it
 * holds the read ends of the container's stdout/stderr and writes them to the json-file log itself, so
 * nothing is lost while boxlabd is down; it records the exit status and time in a file a restarted daemon
 * reads; and it serves a unix socket a daemon (re-)attaches to for live output, stdin and the exit.
 * Why C and not Node: a Node process costs ~40 MB RSS, this costs well under 1 MB (docs/live-restore.md).
 *
 * Protocol with boxlabd (one line each, on the shim's own stdin/stdout):
 *   shim -> daemon  "pid N"          the init's pid (host pid namespace), right after the clone
 *   daemon -> shim  "dir PATH" "log NAME" "stdin 0|1" "go"   (a warm shim waits here until it is taken)
 *   shim -> daemon  "ready"          the log is open and the socket listens: the daemon may release the init
 * Then stdin/stdout/stderr become /dev/null: the shim no longer depends on the daemon being alive.
 * Socket frames (both ways): [type u8][length u32 BE][payload]; shim -> client: 1 stdout, 2 stderr,
 * 4 exit (payload: the exit JSON); client -> shim: 0 stdin data, 3 close stdin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 16
#define LINE_MAX_BYTES 16384 /* docker's json-file splits longer lines the same way */

static int log_fd = -1, dir_fd = -1, listen_fd = -1, stdin_w = -1;
static int clients[MAX_CLIENTS];
static char line[2][LINE_MAX_BYTES];
static size_t line_len[2];

static void die(const char *what) {
  dprintf(2, "boxlab-shim: %s: %s\n", what, strerror(errno));
  _exit(125);
}

static void iso_now(char *out, size_t n) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static void write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    buf += w;
    n -= (size_t)w;
  }
}

/* One json-file entry, written with a single write() so a crash tears at most the last line. */
static void log_entry(int stream, const char *text, size_t n) {
  static char out[LINE_MAX_BYTES * 6 + 128];
  char now[96];
  size_t o = 0;
  iso_now(now, sizeof now);
  o += (size_t)sprintf(out + o, "{\"log\":\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
    else if (c == '\n') { out[o++] = '\\'; out[o++] = 'n'; }
    else if (c == '\r') { out[o++] = '\\'; out[o++] = 'r'; }
    else if (c == '\t') { out[o++] = '\\'; out[o++] = 't'; }
    else if (c < 0x20) o += (size_t)sprintf(out + o, "\\u%04x", c);
    else out[o++] = (char)c;
  }
  o += (size_t)sprintf(out + o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream == 1 ? "stdout" : "stderr", now);
  if (log_fd >= 0) write_all(log_fd, out, o);
}

static void broadcast(int type, const char *data, size_t n) {
  unsigned char hdr[5] = {(unsigned char)type, (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (clients[i] < 0) continue;
    struct iovec iov[2] = {{hdr, 5}, {(void *)data, n}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t w = sendmsg(clients[i], &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w != (ssize_t)(n + 5)) { close(clients[i]); clients[i] = -1; } /* a client too slow to keep up is dropped */
  }
}

/* Output of stream 1 (stdout) or 2 (stderr): complete lines to the log, the raw bytes to attached clients. */
static void output(int stream, const char *buf, size_t n) {
  char *l = line[stream - 1];
  size_t *len = &line_len[stream - 1];
  for (size_t i = 0; i < n; i++) {
    l[(*len)++] = buf[i];
    if (buf[i] == '\n' || *len == LINE_MAX_BYTES) { log_entry(stream, l, *len); *len = 0; }
  }
  broadcast(stream, buf, n);
}

static void flush_partial(int stream) {
  if (line_len[stream - 1] > 0) log_entry(stream, line[stream - 1], line_len[stream - 1]);
  line_len[stream - 1] = 0;
}

/* Reads frames from one client: stdin data goes to the container, 3 closes its stdin. */
static void client_input(int i) {
  unsigned char hdr[5];
  ssize_t r = recv(clients[i], hdr, 5, MSG_WAITALL);
  if (r != 5) { close(clients[i]); clients[i] = -1; return; }
  uint32_t n = ((uint32_t)hdr[1] << 24) | ((uint32_t)hdr[2] << 16) | ((uint32_t)hdr[3] << 8) | hdr[4];
  static char buf[65536];
  while (n > 0) {
    size_t want = n > sizeof buf ? sizeof buf : n;
    r = recv(clients[i], buf, want, MSG_WAITALL);
    if (r <= 0) { close(clients[i]); clients[i] = -1; return; }
    if (hdr[0] == 0 && stdin_w >= 0) write_all(stdin_w, buf, (size_t)r);
    n -= (uint32_t)r;
  }
  if (hdr[0] == 3 && stdin_w >= 0) { close(stdin_w); stdin_w = -1; }
}

static int read_line(char *buf, size_t n) {
  size_t o = 0;
  while (o + 1 < n) {
    ssize_t r = read(0, buf + o, 1);
    if (r <= 0) return -1;
    if (buf[o] == '\n') break;
    o++;
  }
  buf[o] = 0;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[2], "--") != 0) {
    dprintf(2, "usage: boxlab-shim CLONE_FLAGS -- INIT [ARGS...]\n");
    return 125;
  }
  unsigned long flags = strtoul(argv[1], NULL, 0);
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i] = -1;
  signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) die("pipe");
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  /* clone() with namespace flags: the child is pid 1 of its new pid namespace, the shim stays outside. */
  pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) die("clone");
  if (pid == 0) {
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    signal(SIGPIPE, SIG_DFL);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    /* fd 3, the sync socket, is inherited as is (not close-on-exec) */
    execv(argv[3], argv + 3);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(3);
  stdin_w = in[1];
  dprintf(1, "pid %d\n", pid);

  char cmd[4096], dir[4096] = "", logname[4096] = "";
  int keep_stdin = 0;
  for (;;) {
    if (read_line(cmd, sizeof cmd) < 0) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); return 0; } /* never taken */
    if (strncmp(cmd, "dir ", 4) == 0) snprintf(dir, sizeof dir, "%s", cmd + 4);
    else if (strncmp(cmd, "log ", 4) == 0) snprintf(logname, sizeof logname, "%s", cmd + 4);
    else if (strncmp(cmd, "stdin ", 6) == 0) keep_stdin = atoi(cmd + 6);
    else if (strcmp(cmd, "go") == 0) break;
  }
  dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || fchdir(dir_fd) < 0) die("container dir");
  if (logname[0]) {
    log_fd = openat(dir_fd, logname, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) die("log file");
  }
  if (!keep_stdin) { close(stdin_w); stdin_w = -1; }
  /* A relative path: the container dir's absolute path may exceed sun_path's 108 bytes. */
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, "shim.sock");
  unlinkat(dir_fd, "shim.sock", 0);
  listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listen_fd, 8) < 0) die("socket");
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd");
  dprintf(1, "ready\n");
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  if (devnull > 2) close(devnull);

  int open_streams[2] = {out[0], err[0]};
  int status = 0, exited = 0;
  char finished[96] = "";
  struct timespec exit_at = {0};
  for (;;) {
    struct pollfd fds[4 + MAX_CLIENTS];
    int nfds = 0;
    fds[nfds++] = (struct pollfd){.fd = open_streams[0], .events = POLLIN};
    fds[nfds++] = (struct pollfd){.fd = open_streams[1], .events = POLLIN};
    fds[nfds++] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
    fds[nfds++] = (struct pollfd){.fd = exited ? -1 : sfd, .events = POLLIN};
    for (int i = 0; i < MAX_CLIENTS; i++) fds[nfds++] = (struct pollfd){.fd = clients[i], .events = POLLIN};
    if (exited && open_streams[0] < 0 && open_streams[1] < 0) break;
    int timeout = -1;
    if (exited) {
      /* a stray process holding the pipes open must not hold the exit back forever */
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long ms = (now.tv_sec - exit_at.tv_sec) * 1000 + (now.tv_nsec - exit_at.tv_nsec) / 1000000;
      if (ms >= 2000) break;
      timeout = (int)(2000 - ms);
    }
    if (poll(fds, (nfds_t)nfds, timeout) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (int s = 0; s < 2; s++) {
      if (!(fds[s].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      static char buf[65536];
      ssize_t r = read(open_streams[s], buf, sizeof buf);
      if (r > 0) output(s + 1, buf, (size_t)r);
      else if (r == 0 || errno != EINTR) { close(open_streams[s]); open_streams[s] = -1; flush_partial(s + 1); }
    }
    if (fds[2].revents & POLLIN) {
      int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
      int placed = 0;
      for (int i = 0; c >= 0 && i < MAX_CLIENTS && !placed; i++) if (clients[i] < 0) { clients[i] = c; placed = 1; }
      if (c >= 0 && !placed) close(c);
    }
    if (fds[3].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = 1;
        iso_now(finished, sizeof finished);
        clock_gettime(CLOCK_MONOTONIC, &exit_at);
      }
    }
    for (int i = 0; i < MAX_CLIENTS; i++) if (clients[i] >= 0 && (fds[4 + i].revents & (POLLIN | POLLHUP | POLLERR))) client_input(i);
  }
  flush_partial(1);
  flush_partial(2);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  char json[160];
  int n = snprintf(json, sizeof json, "{\"ExitCode\":%d,\"FinishedAt\":\"%s\"}\n", code, finished);
  /* temp file + rename: a restarted daemon sees the whole status or none. No fsync: what must survive is a
   * daemon crash, and the page cache outlives any process; fsync would only delay the exit being reported. */
  int fd = openat(dir_fd, "shim-exit.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd >= 0) {
    write_all(fd, json, (size_t)n);
    close(fd);
    renameat(dir_fd, "shim-exit.json.tmp", dir_fd, "shim-exit.json");
  }
  unlinkat(dir_fd, "shim.sock", 0);
  broadcast(4, json, (size_t)n);
  return 0;
}
