package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// runTUI is replaced by the audit TUI; until then the root command says so.
func (a *app) runTUI(cmd *cobra.Command) error {
	return errors.New("l'interfaccia a terminale non è ancora disponibile: usare i sottocomandi (cieaudit --help)")
}
