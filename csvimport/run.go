package csvimport

import (
	"fmt"

	"pitlane/store"
)

// chunkRows is about how many rows one transaction writes: a large file is
// written in many short transactions, so other users' changes never wait
// long behind it, and progress can be told after each.
const chunkRows = 500

// Result is what an import did, or what a dry run found it would do.
type Result struct {
	DryRun    bool
	Rows      int
	Customers store.ImportCounts
	Vehicles  store.ImportCounts
	// Errors are every problem of every row not imported, by row.
	Errors []RowError
	// Failed is the number of rows not imported.
	Failed int
}

// Run writes a plan to the store in chunks of about chunkRows rows, calling
// progress after each with the rows done so far. With dryRun every chunk is
// rolled back, so nothing is written and the result says what an import
// would do. A row that fails does not stop the others; an internal error
// stops the run after the chunks already written.
func Run(st *store.Store, a store.Actor, p *Plan, dryRun bool, progress func(done, total int)) (Result, error) {
	res := Result{DryRun: dryRun, Rows: p.Rows, Errors: append([]RowError(nil), p.Errors...)}
	done := p.Rows
	for _, ic := range p.Customers {
		done -= len(ic.Rows)
	}
	report := func() {
		if progress != nil {
			progress(done, p.Rows)
		}
	}
	report()
	for start := 0; start < len(p.Customers); {
		end, rows := start, 0
		for end < len(p.Customers) && (rows == 0 || rows+len(p.Customers[end].Rows) <= chunkRows) {
			rows += len(p.Customers[end].Rows)
			end++
		}
		r, err := st.ImportCustomers(a, p.Customers[start:end], dryRun)
		if err != nil {
			return res, fmt.Errorf("import rows %d to %d: %w", p.Customers[start].Rows[0], p.Customers[end-1].Rows[0], err)
		}
		add(&res.Customers, r.Customers)
		add(&res.Vehicles, r.Vehicles)
		for _, f := range r.Failures {
			res.Errors = append(res.Errors, storeErrors(f.Row, f.Err)...)
		}
		done += rows
		report()
		start = end
	}
	p.sortErrors(res.Errors)
	seen := map[int]bool{}
	for _, e := range res.Errors {
		seen[e.Row] = true
	}
	res.Failed = len(seen)
	return res, nil
}

func add(to *store.ImportCounts, c store.ImportCounts) {
	to.Created += c.Created
	to.Updated += c.Updated
	to.Unchanged += c.Unchanged
}
