package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/term"

	"pitlane/search"
)

// reindexLineEvery is how often progress is printed when the output is not
// a terminal (a log), where a line cannot be rewritten.
const reindexLineEvery = 5 * time.Second

func cmdReindex(ctx context.Context, e *env, args []string) error {
	dir, err := dataCommand(e, "reindex", args, nil)
	if err != nil {
		return err
	}
	admin, closer, err := connect(dir, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	fmt.Fprintf(e.stdout, "Rebuilding the search index of %s\n", dir)
	f, isFile := e.stdout.(*os.File)
	tty := isFile && term.IsTerminal(int(f.Fd()))
	var printed time.Time
	res, err := admin.Reindex(ctx, func(p search.Progress) {
		if p.Finished {
			return
		}
		line := fmt.Sprintf("  %d of %d records (%d%%), %s", p.Done, p.Total, percent(p.Done, p.Total), p.Elapsed.Round(time.Second))
		switch {
		case tty:
			fmt.Fprintf(e.stdout, "\r%s   ", line)
		case time.Since(printed) >= reindexLineEvery:
			fmt.Fprintln(e.stdout, line)
			printed = time.Now()
		}
	})
	if tty {
		fmt.Fprintln(e.stdout)
	}
	if err != nil {
		return fmt.Errorf("rebuild the search index: %w", err)
	}
	fmt.Fprintf(e.stdout, "Done: %d records indexed in %s; searches use the new index.\n", res.Documents,
		res.Elapsed.Round(100*time.Millisecond))
	return nil
}

func percent(done, total int) int {
	if total <= 0 {
		return 100
	}
	return min(100, done*100/total)
}
