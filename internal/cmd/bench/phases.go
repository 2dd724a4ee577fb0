package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// phases splits a plan's wall time around its Graph requests, from the
// emulator's request log: Terraform's and the provider's work before the
// first request, the reading itself, and what follows the last answer. Only
// the reading can approach the latency-bound ideal; the rest is start-up and
// the work Terraform does with the results.
type phases struct {
	beforeFirstRequest time.Duration
	reading            time.Duration
	afterLastResponse  time.Duration
}

// planPhases measures the phases of a plan that started at started and took
// wall. The last answer is taken to leave latency after its request
// arrived, which is when the emulator sends it.
func planPhases(started time.Time, wall time.Duration, requests []fakegraph.Request, latency time.Duration) (phases, bool) {
	var first, last time.Time
	for _, r := range requests {
		if r.Origin != fakegraph.OriginGraph {
			continue
		}
		if first.IsZero() || r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
	}
	if first.IsZero() {
		return phases{}, false
	}
	lastResponse := last.Add(latency)
	return phases{
		beforeFirstRequest: first.Sub(started),
		reading:            lastResponse.Sub(first),
		afterLastResponse:  started.Add(wall).Sub(lastResponse),
	}, true
}

// printPhases shows the phases of each binary's median run.
func printPhases(out io.Writer, markdown bool, results []result, ideal time.Duration) {
	header := []string{"binary", "start-up", "before the first Graph request", "reading", "reading / ideal", "after the last answer"}
	var rows [][]string
	for _, r := range results {
		median := r.medianRun()
		if !median.hasPhases {
			continue
		}
		p := median.phases
		rows = append(rows, []string{
			r.version, seconds(r.startup), seconds(p.beforeFirstRequest), seconds(p.reading),
			fmt.Sprintf("%.2f", float64(p.reading)/float64(ideal)), seconds(p.afterLastResponse),
		})
	}
	printRows(out, markdown, header, rows)
}

// medianRun is the run whose wall time is the median.
func (r result) medianRun() runResult {
	runs := slices.Clone(r.runs)
	slices.SortFunc(runs, func(a, b runResult) int { return int(a.wall - b.wall) })
	return runs[len(runs)/2]
}

// printRows prints a table as Markdown or aligned text.
func printRows(out io.Writer, markdown bool, header []string, rows [][]string) {
	if markdown {
		fmt.Fprintln(out, "| "+strings.Join(header, " | ")+" |")
		separators := make([]string, len(header))
		for i := range separators {
			separators[i] = "---"
			if i > 0 {
				separators[i] = "--:"
			}
		}
		fmt.Fprintln(out, "|"+strings.Join(separators, "|")+"|")
		for _, row := range rows {
			fmt.Fprintln(out, "| "+strings.Join(row, " | ")+" |")
		}
		return
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()
}
