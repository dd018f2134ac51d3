/**
 * `effect-texas doctor` in-process: the shared `Cli.main` (what each line's
 * `bin.ts` calls) with the line's `verify`, its output captured. The cases run
 * through this; one case runs the real bin in a process of its own.
 */
import { Cli } from "@effect-texas/doctor"

export interface CommandResult {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

export type RunCommand = (argv: ReadonlyArray<string>, env: Readonly<Record<string, string>>, cwd: string) => Promise<CommandResult>

/** `effect-texas doctor <argv>` with `verify`, writing to a pipe (no TTY), as a shell would see it. */
export const commandRunner = (verify: Cli.Verify): RunCommand => async (argv, env, cwd) => {
  let stdout = ""
  let stderr = ""
  const io: Cli.Io = {
    argv: ["doctor", ...argv],
    env,
    cwd,
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) }
  }
  const status = await Cli.main(io, verify, "0.0.0-test")
  return { status, stdout, stderr }
}
