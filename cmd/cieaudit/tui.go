package main

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/tui"
)

// runTUI opens the terminal interface on the database, directly on --audit
// when given.
func (a *app) runTUI(cmd *cobra.Command) error {
	auditID, err := cmd.Flags().GetString("audit")
	if err != nil {
		return usagef("%v", err)
	}
	s, err := a.open()
	if err != nil {
		return err
	}
	if auditID != "" {
		if _, err := s.Audit(auditID); err != nil {
			return fmt.Errorf("%w (elenco degli audit: cieaudit audit list)", err)
		}
	}
	author := a.author()
	model := tui.New(tui.Options{
		Store:   s,
		User:    author,
		Role:    checklist.RoleAuditor,
		AuditID: auditID,
		Now:     a.now,
		CreateDemo: func() (string, error) {
			id, _, err := ensureDemo(s, author)
			return id, err
		},
	})
	p := tea.NewProgram(model, tea.WithInput(a.stdin), tea.WithOutput(a.stdout))
	_, err = p.Run()
	// However the program ended, the saves it queued commit before the
	// store is closed.
	model.WaitSaves()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("interfaccia a terminale: %w", err)
	}
	return nil
}
