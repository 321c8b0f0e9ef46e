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
// operators, events), each in its own transaction.
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
		if err := seedCycle(s, stored.ID, demo.BuildCycle(cat), author); err != nil {
			return "", false, fmt.Errorf("audit dimostrativo %s, piano e registri: %w", stored.ID, err)
		}
	}
	return stored.ID, created, nil
}

// seedCycle records the demo's plan, operators and events after the audit,
// in the order the comune would: the operators, the plan and its
// transmission (which fixes them in the baseline), then the year's events.
func seedCycle(s *storage.Store, id string, c demo.Cycle, author string) error {
	for _, o := range c.Operators {
		if _, err := s.AddOperator(id, o, author); err != nil {
			return err
		}
	}
	for _, p := range c.Plan {
		if _, _, err := s.SavePlan(id, p, author); err != nil {
			return err
		}
	}
	for _, e := range c.Events {
		if _, err := s.AddEvent(id, e, author); err != nil {
			return err
		}
	}
	for _, cl := range c.Closes {
		if _, err := s.CloseEvent(id, cl.ID, cl.On, cl.Note, author); err != nil {
			return err
		}
	}
	return nil
}
