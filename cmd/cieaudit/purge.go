package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newPurgeCmd(a *app) *cobra.Command {
	var istat string
	var yes bool
	cmd := &cobra.Command{
		Use:   "purge --istat CODICE --yes",
		Short: "Elimina per sempre tutti i dati di un ente (audit, allegati, eventi, stato dell'interfaccia)",
		Long: `Elimina ogni audit dell'ente con quel codice ISTAT e tutto ciò che contiene
(risposte, storico, valutazioni, azioni, piano, operatori, eventi, allegati), lo
stato dell'interfaccia che vi puntava, le voci del registro delle eliminazioni e
del registro degli accessi che li nominano. Poi riscrive il database in un file
nuovo, così che le pagine liberate non conservino i dati, e lo sostituisce in
modo atomico. Resta solo una voce con chi ha eliminato quale ente, quando e
quanti record (nessun contenuto). Le copie di sicurezza fatte prima contengono
ancora i dati: il comando elenca quelle accanto al database.
Solo in locale (non via SSH), con il server fermo o in attesa del lock.`,
		Example: `  cieaudit purge --istat 054001 --yes`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return usagef("l'eliminazione è definitiva: aggiungere --yes per confermarla")
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			r, err := s.Purge(istat, a.author())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Eliminati i dati dell'ente %s: %d audit, %d risposte, %d voci di storico, %d allegati, %d eventi, %d stati dell'interfaccia, %d voci di registro.\n",
				r.ISTAT, r.Audits, r.Answers, r.History, r.Evidence, r.Events, r.UIStates, r.Journal)
			fmt.Fprintln(a.stdout, "Il database è stato riscritto: le pagine liberate non conservano i dati.")
			if len(r.Backups) > 0 {
				fmt.Fprintln(a.stdout, "Queste copie, fatte prima, contengono ancora i dati dell'ente (eliminarle se non servono):")
				for _, b := range r.Backups {
					fmt.Fprintln(a.stdout, "  "+b)
				}
			}
			fmt.Fprintln(a.stdout, "Anche le copie fatte con cieaudit backup in altre cartelle e i fascicoli esportati contengono ancora i dati.")
			return nil
		},
	}
	cmd.Flags().StringVar(&istat, "istat", "", "codice ISTAT dell'ente, 6 cifre (obbligatorio)")
	cmd.Flags().BoolVar(&yes, "yes", false, "conferma l'eliminazione definitiva")
	cmd.MarkFlagRequired("istat")
	return cmd
}
