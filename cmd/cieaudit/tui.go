package main

import (
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

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
	if !isTerminal(a.stdin) || !isTerminal(a.stdout) {
		// Without a terminal Bubble Tea fails in English, and with a
		// piped stdin it would wait for keys that never come.
		return errors.New("l'interfaccia a terminale richiede un terminale interattivo (ingresso e uscita non devono essere reindirizzati): per gli script usare i comandi, es. cieaudit audit list, cieaudit answer, cieaudit export")
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
		// Another process (the CLI, a second TUI) may change the file.
		Refresh: tui.DefaultRefresh,
		// Forms as plain prompts for screen readers (huh's accessible mode).
		Accessible: os.Getenv("CIEAUDIT_ACCESSIBLE") == "1",
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

// isTerminal reports whether f is a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}
