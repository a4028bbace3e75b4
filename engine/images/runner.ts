import type { ImageRecord } from './config.js';

export interface RunStepOptions {
  /** the image the step runs on (the previous step's result; may be an untagged intermediate) */
  image: ImageRecord;
  /** argv; shell forms arrive already as ["/bin/sh", "-c", "..."] */
  cmd: string[];
  /** the image's Env plus the build's ARG values */
  env: string[];
  workdir: string;
  user: string;
}

export interface RunStepResult {
  exitCode: number;
  /** the container's upper dir: the step's layer is packed from it */
  upper: string;
  stdout: string;
  stderr: string;
  /** removes the container and its dirs */
  cleanup: () => void | Promise<void>;
}

/**
 * Runs one build step in a container and hands back its upper dir. The runtime provides the one
 * implementation (engine/containers/build-runner.ts): a RUN step is an ordinary container.
 */
export type RunInContainer = (o: RunStepOptions) => Promise<RunStepResult>;
