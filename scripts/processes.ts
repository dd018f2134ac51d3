/**
 * Runs programs as a user would (`node --import tsx <file>`), two at a time
 * on this 2-core budget, each with a time limit, and reports each as `ok` or
 * `FAIL` with its output. Shared by `run-examples.ts` and `run-snippets.ts`.
 */
import { spawn } from "node:child_process"

export interface Job {
  /** What the report calls it. */
  readonly name: string
  readonly file: string
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  /** What is wrong with a run that exited 0, judged by its output (stdout and stderr). */
  readonly check?: (output: string) => string | undefined
}

interface Result {
  readonly job: Job
  readonly ok: boolean
  readonly seconds: string
  readonly why: string
  readonly output: string
}

const run = (job: Job, timeoutMs: number): Promise<Result> =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, ["--import", "tsx", job.file], { cwd: job.cwd, env: job.env ?? process.env })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      const wrong = code === 0 ? job.check?.(output) : undefined
      const why = signal === "SIGKILL" ? `no exit within ${timeoutMs / 1000} s` : wrong ?? `exit ${code ?? signal}`
      resolve({ job, ok: code === 0 && wrong === undefined, seconds, why, output })
    })
  })

/** Runs `jobs`, `concurrency` at a time, printing each outcome; resolves with the number that failed. */
export const runAll = async (jobs: ReadonlyArray<Job>, options: { readonly concurrency?: number; readonly timeoutMs?: number } = {}): Promise<number> => {
  const queue = [...jobs]
  let failed = 0
  const worker = async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const result = await run(job, options.timeoutMs ?? 60_000)
      if (result.ok) console.log(`ok   ${job.name} (${result.seconds} s)`)
      else {
        failed++
        console.log(`FAIL ${job.name} (${result.seconds} s): ${result.why}\n${result.output}`)
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker))
  return failed
}
