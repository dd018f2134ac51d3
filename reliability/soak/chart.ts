/**
 * The soak run's chart as one SVG a browser opens: a panel per measure (heap, RSS, event-loop
 * delay, open handles, sidecar token requests per minute), a line per SDK line, minutes across,
 * the fault windows shaded.
 */
import type { Window } from "./figures.js"

export interface Series {
  readonly name: string
  readonly colour: string
  /** Points as [minutes since the start, value]. */
  readonly points: ReadonlyArray<readonly [number, number]>
}

export interface Panel {
  readonly title: string
  readonly unit: string
  readonly series: ReadonlyArray<Series>
}

const width = 900
const panelHeight = 150
const left = 70
const right = 20
const top = 60

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const shades = { "restart": "#f4c7c3", "503": "#fce8b2", "slow provider": "#d2e3fc" } as const

const panelSvg = (panel: Panel, index: number, minutes: number, windows: ReadonlyArray<Window>): string => {
  const y0 = top + index * (panelHeight + 40)
  const values = panel.series.flatMap((series) => series.points.map(([, value]) => value))
  const max = Math.max(1, ...values) * 1.1
  const x = (minute: number) => left + (minute / Math.max(minutes, 1 / 60)) * (width - left - right)
  const y = (value: number) => y0 + panelHeight - (value / max) * panelHeight
  const shaded = windows.map((window) => {
    const from = x(window.from / 60_000)
    return `<rect x="${from.toFixed(1)}" y="${y0}" width="${Math.max(1, x(window.to / 60_000) - from).toFixed(1)}" height="${panelHeight}" fill="${shades[window.fault]}"/>`
  })
  const lines = panel.series.map((series) =>
    `<polyline fill="none" stroke="${series.colour}" stroke-width="1.5" points="${series.points.map(([minute, value]) => `${x(minute).toFixed(1)},${y(value).toFixed(1)}`).join(" ")}"/>`
  )
  // Few points (a short run, a count per minute): each marked, so that a single one shows.
  const marks = panel.series.flatMap((series) =>
    series.points.length > 60 ? [] : series.points.map(([minute, value]) => `<circle cx="${x(minute).toFixed(1)}" cy="${y(value).toFixed(1)}" r="2.5" fill="${series.colour}"/>`)
  )
  return [
    `<text x="${left}" y="${y0 - 8}" font-size="13" font-weight="bold">${escape(panel.title)} (${escape(panel.unit)})</text>`,
    ...shaded,
    `<rect x="${left}" y="${y0}" width="${width - left - right}" height="${panelHeight}" fill="none" stroke="#999"/>`,
    `<text x="${left - 6}" y="${y0 + 10}" font-size="11" text-anchor="end">${max.toFixed(max < 10 ? 1 : 0)}</text>`,
    `<text x="${left - 6}" y="${y0 + panelHeight}" font-size="11" text-anchor="end">0</text>`,
    ...lines,
    ...marks
  ].join("\n")
}

/** The chart of `panels` over a run of `minutes`, with `windows` shaded and a legend. */
export const chart = (title: string, panels: ReadonlyArray<Panel>, minutes: number, windows: ReadonlyArray<Window>): string => {
  const height = top + panels.length * (panelHeight + 40) + 30
  const legendY = height - 12
  const names = panels[0]?.series.map((series, index) =>
    `<rect x="${left + index * 140}" y="${legendY - 10}" width="20" height="4" fill="${series.colour}"/><text x="${left + index * 140 + 26}" y="${legendY - 4}" font-size="12">${escape(series.name)}</text>`) ?? []
  const faults = Object.entries(shades).map(([fault, colour], index) =>
    `<rect x="${left + 300 + index * 150}" y="${legendY - 14}" width="14" height="12" fill="${colour}"/><text x="${left + 320 + index * 150}" y="${legendY - 4}" font-size="12">${fault}</text>`)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${width - right}" y="${height - 30}" font-size="11" text-anchor="end">${minutes} min</text>`,
    ...panels.map((panel, index) => panelSvg(panel, index, minutes, windows)),
    ...names,
    ...faults,
    "</svg>"
  ].join("\n")
}
