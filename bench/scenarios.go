package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"pitlane/notify"
	"pitlane/store"
)

// scenario is one named load on the appliance.
type scenario struct {
	name        string
	concurrency int // default number of workers
	// prepare readies the load for concurrency workers: it returns the
	// request each worker repeats and what to undo afterwards.
	prepare func(ctx context.Context, a *appliance, concurrency int) (op, func(), error)
	// run, when set, replaces prepare and the repeated request: the
	// scenario drives and times itself (push times draining an outbox).
	run func(ctx context.Context, a *appliance, concurrency int, cfg Config) (Result, error)
}

var scenarios = []scenario{
	{name: "login", concurrency: 100, prepare: prepareLogin},
	{name: "dashboard", concurrency: 100, prepare: preparePage(dashboardPage)},
	{name: "job", concurrency: 100, prepare: preparePage(jobPage)},
	{name: "calendar-week", concurrency: 100, prepare: preparePage(weekPage)},
	{name: "writes", concurrency: 64, prepare: prepareWrites},
	{name: "api-writes", concurrency: 64, prepare: prepareAPIWrites},
	{name: "backup-writes", concurrency: 64, prepare: prepareBackupWrites},
	{name: "push", concurrency: notify.DefaultConcurrency, run: runPush},
	{name: "reindex", concurrency: 1, run: runReindex},
	{name: "find-plate", concurrency: searchConcurrency, run: runSearch("find-plate", searchPlate)},
	{name: "find-prefix", concurrency: searchConcurrency, run: runSearch("find-prefix", searchPartialPlate)},
	{name: "find-typo", concurrency: searchConcurrency, run: runSearch("find-typo", searchNameTypo)},
	{name: "find-text", concurrency: searchConcurrency, run: runSearch("find-text", searchFreeText)},
}

// Scenarios lists the scenario names, in the order they run by default.
func Scenarios() []string {
	out := make([]string, len(scenarios))
	for i, s := range scenarios {
		out[i] = s.name
	}
	return out
}

func findScenario(name string) (scenario, bool) {
	for _, s := range scenarios {
		if s.name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// prepareLogin: each request is a whole browser sign-in, GET /login then
// POST /login, as the staff accounts in turn. Argon2id dominates it.
func prepareLogin(_ context.Context, a *appliance, concurrency int) (op, func(), error) {
	c := newClient(concurrency)
	do := func(ctx context.Context, w int) error {
		_, err := a.login(ctx, c, a.users[w%len(a.users)])
		return err
	}
	return do, c.CloseIdleConnections, nil
}

// newCustomers returns a source of customers no earlier run has used, so
// writes into a reused data folder never conflict.
func newCustomers() func() store.Customer {
	run := rand.IntN(1_000_000_000)
	var n atomic.Int64
	return func() store.Customer {
		i := n.Add(1)
		return store.Customer{Name: fmt.Sprintf("Bench Customer %d", i),
			Email: fmt.Sprintf("w%09d-%d@bench.pitlane.test", run, i), Phone: fmt.Sprintf("+1 %09d %08d", run, i)}
	}
}

// prepareWrites: each request is a store.CreateCustomer, durable on return
// (bbolt's batched transaction, one fsync per batch).
func prepareWrites(_ context.Context, a *appliance, _ int) (op, func(), error) {
	next := newCustomers()
	do := func(context.Context, int) error {
		_, err := a.st.CreateCustomer(seedActor, next())
		return err
	}
	return do, func() {}, nil
}

// prepareAPIWrites: each request is POST /api/v1/customers with the manager
// API key.
func prepareAPIWrites(_ context.Context, a *appliance, concurrency int) (op, func(), error) {
	c := newClient(concurrency)
	next := newCustomers()
	do := func(ctx context.Context, _ int) error {
		cu := next()
		body, err := json.Marshal(map[string]string{"name": cu.Name, "email": cu.Email, "phone": cu.Phone})
		if err != nil {
			return err
		}
		return a.postCustomer(ctx, c, body)
	}
	return do, c.CloseIdleConnections, nil
}
