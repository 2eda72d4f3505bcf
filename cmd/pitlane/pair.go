package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"pitlane/control"
	"pitlane/store"
)

// cmdPair prints a fresh link that pairs a customer's phone, for support
// on the phone or for printing codes in bulk. It reaches the running service
// through its socket, or the data folder when the service is stopped.
func cmdPair(ctx context.Context, e *env, args []string) error {
	var customer, publicURL *string
	var ttl *time.Duration
	dir, err := dataCommand(e, "pair", args, func(fs *flag.FlagSet) {
		customer = fs.String("customer", "", "the customer: number (#12), e-mail or phone")
		ttl = fs.Duration("ttl", store.DefaultPairTTL, fmt.Sprintf("how long the link works (at most %s)", store.MaxPairTTL))
		publicURL = fs.String("public-url", e.getenv("PITLANE_PUBLIC_URL"), "the appliance's address the link starts with (default $PITLANE_PUBLIC_URL)")
	})
	if err != nil {
		return err
	}
	if err := required("customer", *customer); err != nil {
		return err
	}
	base := strings.TrimRight(strings.TrimSpace(*publicURL), "/")
	if base != "" {
		if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usageErrorf("--public-url must be an http(s):// address, such as https://garage.example.com")
		}
	}
	admin, closer, err := connect(dir, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	link, err := admin.CreatePairLink(ctx, control.PairRequest{Customer: *customer, TTL: *ttl})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Pairing link for #%d %s, works once until %s:\n\n    %s%s\n\n", link.CustomerID, link.CustomerName,
		link.Expires.Local().Format(time.DateTime), base, link.Path)
	if base == "" {
		fmt.Fprintln(e.stdout, "Put this appliance's address in front of it (https://garage.example.com/pair/…), or give\n--public-url (or PITLANE_PUBLIC_URL) to print the whole link.")
	}
	return nil
}
