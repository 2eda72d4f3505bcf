package main

import (
	"context"
	"fmt"
	"runtime"

	"pitlane/store"
)

func cmdVersion(_ context.Context, e *env, args []string) error {
	if err := parse(e, flags("version"), args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "pitlane %s\ndatabase schema %d\n%s %s/%s\n", version, store.SchemaVersion(),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
