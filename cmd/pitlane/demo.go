package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"pitlane/control"
)

func cmdDemo(ctx context.Context, e *env, args []string) error {
	dir, err := dataCommand(e, "demo", args, nil)
	if err != nil {
		return err
	}
	admin, closer, err := control.Connect(dir)
	if err != nil {
		return err
	}
	defer closer.Close()
	res, err := admin.SeedDemo(ctx)
	if err != nil {
		return fmt.Errorf("load the demo garage: %w", err)
	}

	w := e.stdout
	fmt.Fprintf(w, "Demo garage in %s\n", dir)
	fmt.Fprintf(w, "  created: %d customers, %d cars, %d jobs, %d appointments this week, %d staff accounts\n",
		res.Customers, res.Vehicles, res.Jobs, res.Appointments, res.Users)
	if res.Customers == 0 && res.Users == 0 {
		fmt.Fprintln(w, "  (it was already loaded: nothing is ever added twice)")
	}
	if res.Settings {
		fmt.Fprintln(w, "  dealership settings: Officina Demo Pitlane")
	}
	if _, running := admin.(*control.Client); running {
		fmt.Fprintln(w, "\nThe running server has it: open Pitlane in a browser and sign in as:")
	} else {
		fmt.Fprintf(w, "\nStart it with `pitlane serve --data %s --tls off --addr 127.0.0.1:8080`, open\n", dir)
		fmt.Fprintln(w, "http://127.0.0.1:8080 (or the address serve prints) and sign in as:")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tPASSWORD\tROLE")
	existing := false
	for _, l := range res.Logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Username, l.Password, l.Role)
		existing = existing || !l.Created
	}
	tw.Flush()
	if existing {
		fmt.Fprintln(w, "\nAccounts that existed before this run keep their own password.")
	}
	fmt.Fprintln(w, "\nThe demo password is public: disable these accounts before real use (pitlane user disable --username ...).")
	return nil
}
