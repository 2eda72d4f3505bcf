package main

import (
	"context"
	"fmt"
)

// cmdVAPID prints the web push public key (VAPID), made on first use and
// kept in the database: the key a push service or a support check sees.
func cmdVAPID(ctx context.Context, e *env, args []string) error {
	dir, err := dataCommand(e, "vapid", args, nil)
	if err != nil {
		return err
	}
	admin, closer, err := connect(dir, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	key, err := admin.VAPIDPublicKey(ctx)
	if err != nil {
		return fmt.Errorf("read the web push key: %w", err)
	}
	fmt.Fprintln(e.stdout, key)
	return nil
}
