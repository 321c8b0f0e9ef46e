package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
)

// newActionCmd edits the remediation plan: owner, due date and status of
// the action for a measure (the TUI's risk page, tab, invio).
func newActionCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "action", Short: "Piano delle azioni migliorative: responsabile, scadenza e stato"}
	var owner, due, status string
	set := &cobra.Command{
		Use:   "set AUDIT MISURA [--owner NOME] [--due DATA] [--status da_avviare|in_corso|completata]",
		Short: "Imposta responsabile, scadenza e stato dell'azione per una misura (i campi non indicati restano come sono)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			item := snap.Catalogue.Item(args[1])
			if item == nil {
				return fmt.Errorf("azione %s: misura %q non presente nel catalogo %s", args[1], args[1], snap.Catalogue.Key())
			}
			p, ok := snap.Actions[item.ID]
			if !ok {
				p = checklist.ActionPlan{Item: item.ID}
			}
			f := cmd.Flags()
			if f.Changed("owner") {
				p.Owner = owner
			}
			if f.Changed("due") {
				p.Due = due
			}
			if f.Changed("status") {
				p.Status = checklist.ActionStatus(status)
			}
			// The same rule as storage and the TUI form, checked before
			// anything is opened for writing.
			if p, err = checklist.CheckActionPlan(snap.Catalogue, p); err != nil {
				return usagef("azione %s: %v", item.ID, err)
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			if err := s.SaveActionPlan(snap.Audit.ID, p, a.author()); err != nil {
				return auditErr(args[0], err)
			}
			fmt.Fprintf(a.stdout, "Salvata l'azione %s: responsabile %s; scadenza %s; stato %s\n", p.Item,
				dash(p.Owner), dash(checklist.ItalianDate(p.Due)), p.Status.Label())
			return nil
		},
	}
	set.Flags().StringVar(&owner, "owner", "", "responsabile dell'azione")
	set.Flags().StringVar(&due, "due", "", "scadenza (AAAA-MM-GG o GG/MM/AAAA; vuota per nessuna)")
	set.Flags().StringVar(&status, "status", "", "stato: da_avviare, in_corso o completata")
	cmd.AddCommand(set)
	return cmd
}
