package main

import (
	"fmt"

	"github.com/cieaudit/cieaudit/checklist/demo"
	"github.com/cieaudit/cieaudit/storage"
)

// ensureDemo returns the ID of the demo audit, storing it first if the
// database does not hold one yet. The audit and its answers are created in
// one transaction, together with the check that no demo exists: an
// interrupted run leaves no half demo, and two processes cannot create two.
// The process that created it then records its yearly cycle (plan,
// operators, events) in a second transaction.
func ensureDemo(s *storage.Store, author string) (id string, created bool, err error) {
	cat, err := s.EnsureBuiltin()
	if err != nil {
		return "", false, err
	}
	d := demo.Build(cat)
	stored, created, err := s.CreateAuditOnce(d.Audit, author, d.Answers, d.Evaluations, demo.Is)
	if err != nil {
		return "", false, fmt.Errorf("audit dimostrativo: %w", err)
	}
	if created {
		if err := s.RecordCycle(stored.ID, demo.BuildCycle(cat), author); err != nil {
			return "", false, fmt.Errorf("audit dimostrativo %s, piano e registri: %w", stored.ID, err)
		}
	}
	return stored.ID, created, nil
}
