package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// renameRemoveCmds are the rename and remove subcommands of a perimeter
// group (workstation, sede): names are compared ignoring case, answers move
// with a rename, and a removal that would delete answers needs --yes.
func renameRemoveCmds(a *app, kind checklist.ScopeKind, what string) []*cobra.Command {
	rename := &cobra.Command{
		Use:   "rename AUDIT VECCHIO NUOVO",
		Short: "Rinomina " + what + " (le risposte la seguono; la modifica resta nello storico)",
		Args:  exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			au, err := s.RenameScope(args[0], checklist.Scope{Kind: kind, Name: args[1]}, args[2], a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			name := checklist.NormaliseSedeName(args[2])
			if kind == checklist.ScopePostazione {
				name = checklist.NormalisePostazioneCode(args[2])
			}
			if p := au.FindPostazione(name); kind == checklist.ScopePostazione && p != nil {
				name = p.Code
			} else if s := au.FindSede(name); kind == checklist.ScopeSede && s != nil {
				name = s.Name
			}
			fmt.Fprintf(a.stdout, "%s\n", checklist.Scope{Kind: kind, Name: name})
			return nil
		},
	}
	var confirmed bool
	remove := &cobra.Command{
		Use:   "remove AUDIT NOME",
		Short: "Rimuove " + what + "; se ha risposte serve --yes (la rimozione resta nello storico)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			_, n, err := s.RemoveScope(args[0], checklist.Scope{Kind: kind, Name: args[1]}, a.author(), confirmed)
			var nc *storage.ErrNeedsConfirmation
			if errors.As(err, &nc) {
				return usagef("%v: aggiungere --yes", nc)
			}
			if err != nil {
				return auditErr(args[0], err)
			}
			fmt.Fprintf(a.stdout, "Rimossa %s %s (%s).\n", what, args[1], checklist.Count(n, "risposta o valutazione eliminata", "risposte e valutazioni eliminate"))
			return nil
		},
	}
	remove.Flags().BoolVar(&confirmed, "yes", false, "conferma la rimozione anche se ci sono risposte")
	return []*cobra.Command{rename, remove}
}

func newSedeCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "sede", Short: "Sedi di un audit: rinomina e rimozione (si aggiungono con workstation add)"}
	cmd.AddCommand(renameRemoveCmds(a, checklist.ScopeSede, "la sede")...)
	return cmd
}
