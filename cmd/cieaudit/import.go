package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
	"github.com/cieaudit/cieaudit/storage"
)

func newImportCmd(a *app) *cobra.Command {
	var merge, asJSON bool
	cmd := &cobra.Command{
		Use:   "import FASCICOLO|CARTELLA|audit.json|-",
		Short: "Ricrea un audit da un fascicolo esportato (zip, cartella o audit.json)",
		Long: fmt.Sprintf(`Ricrea in questo database l'audit di un fascicolo esportato con cieaudit export:
lo zip, la cartella, il solo audit.json, oppure - per lo standard input (zip o
audit.json, riconosciuti dal contenuto, al massimo %d MiB). L'audit torna com'era:
stesso ID, storico con numeri, autori e date originali, valutazioni, azioni, piano,
operatori, eventi, allegati e stemma, vincolato allo stesso catalogo (che il
fascicolo contiene e che viene memorizzato se manca). Esportandolo di nuovo si
ottengono gli stessi file.
Prima di scrivere qualsiasi cosa il fascicolo è verificato per intero: ogni file
contro SHA256SUMS, l'impronta del catalogo, ogni allegato contro la sua impronta,
dimensione e tipo, i limiti documentati, i percorsi e le dimensioni delle voci
dello zip. Un fascicolo danneggiato o manipolato è rifiutato con il nome della voce
e il database resta com'era. Un audit con lo stesso ID già presente è rifiutato:
per unire due copie dello stesso audit serve --merge.
Con --merge la copia del fascicolo si unisce all'audit già presente (per esempio il
lavoro fatto fuori linea su un portatile, riportato sul server): lo storico delle due
copie è unito senza doppioni, ogni risposta prende la modifica più recente e l'altro
valore resta nello storico, ogni conflitto (la stessa misura cambiata da entrambe le
parti) è elencato. Importare di nuovo lo stesso fascicolo non cambia nulla. Se l'audit
non è presente, --merge lo importa come senza l'opzione.
Via SSH il fascicolo si passa sullo standard input: ssh … import - < fascicolo.zip
(solo amministratori); un auditor unisce la copia a un audit già presente con
ssh … import --merge - < fascicolo.zip`, export.MaxBundleStream>>20),
		Example: `  cieaudit import piano-2026.zip
  cieaudit import ./piano-2026/
  cieaudit import - < piano-2026.zip
  cieaudit import --merge piano-portatile.zip`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := args[0]
			if a.remote && src != "-" {
				return usagef("via SSH il fascicolo si passa sullo standard input: import - < fascicolo.zip")
			}
			if asJSON && !merge {
				return usagef("--json si usa con --merge (import --merge FASCICOLO --json)")
			}
			release, err := a.tryImportSlot()
			if err != nil {
				return err
			}
			defer release()
			s, err := a.open()
			if err != nil {
				return err
			}
			opts := export.ReadOptions{Catalogue: storedCatalogueLookup(s), Now: a.now()}
			var imp *checklist.ImportedAudit
			if src == "-" {
				imp, err = export.ReadBundleFrom(a.stdin, opts)
			} else {
				imp, err = export.ReadBundle(src, opts)
			}
			if err != nil {
				return err
			}
			if merge {
				return a.importMerge(s, imp, asJSON)
			}
			au, err := s.ImportAudit(imp, a.author())
			if err != nil {
				return err
			}
			printImported(a, au, imp)
			return nil
		},
	}
	cmd.Flags().BoolVar(&merge, "merge", false, "unisce la copia all'audit già presente (se manca, lo importa)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "con --merge: il riepilogo dell'unione in JSON (cieaudit.import-merge/v1)")
	return cmd
}

// maxServerImports is how many imports an SSH server runs at once: each
// holds its bundle in memory while it checks it (up to about 350 MB for a
// 256 MiB stream), so that many sessions importing together cannot
// exhaust the jump host.
const maxServerImports = 2

// errImportBusy is the refusal of an import beyond maxServerImports.
var errImportBusy = fmt.Errorf("un'altra importazione è in corso sul server (al massimo %d alla volta), riprovare tra poco", maxServerImports)

// tryImportSlot takes one of the server's import slots without waiting,
// or refuses the import with errImportBusy: a session beyond the bound is
// told at once rather than queued with its bundle in memory. The local CLI
// (no slots) is not bounded. release gives the slot back.
func (a *app) tryImportSlot() (release func(), err error) {
	if a.importSlots == nil {
		return func() {}, nil
	}
	select {
	case a.importSlots <- struct{}{}:
		return func() { <-a.importSlots }, nil
	default:
		return nil, errImportBusy
	}
}

// storedCatalogueLookup finds a catalogue stored in s with digest, for an
// audit.json imported without its bundle.
func storedCatalogueLookup(s *storage.Store) func(key, digest string) (*checklist.Catalogue, error) {
	return func(key, digest string) (*checklist.Catalogue, error) {
		c, err := s.Catalogue(key)
		if err != nil {
			return nil, err
		}
		if c.Digest != digest {
			return nil, fmt.Errorf("il catalogo %s memorizzato ha un'altra impronta (%.12s…)", key, c.Digest)
		}
		return c, nil
	}
}

// printImported says what was imported: the audit and its counts.
func printImported(a *app, au checklist.Audit, imp *checklist.ImportedAudit) {
	n := imp.Counts()
	fmt.Fprintf(a.stdout, "Importato l'audit %s: %s (ISTAT %s), anno %d, catalogo %s, stato %s.\n",
		au.ID, checklist.CleanText(au.Ente.Name, false), checklist.CleanText(au.Ente.ISTAT, false), au.Year,
		checklist.CleanText(au.CatalogueKey(), false), au.Status.Label())
	parts := []string{
		checklist.Count(n.Answers, "risposta", "risposte"), checklist.Count(n.Evaluations, "valutazione", "valutazioni"),
		checklist.Count(n.History, "voce di storico", "voci di storico"), checklist.Count(n.Actions, "azione", "azioni"),
		checklist.Count(n.Overrides, "rischio modificato", "rischi modificati"),
		checklist.Count(n.Baselines, "trasmissione del piano", "trasmissioni del piano"),
		checklist.Count(n.Operators, "operatore", "operatori"), checklist.Count(n.Events, "evento", "eventi"),
		checklist.Count(n.Carried, "risposta riportata da verificare", "risposte riportate da verificare"),
		checklist.Count(n.Evidence, "allegato", "allegati"),
	}
	fmt.Fprintln(a.stdout, "  "+strings.Join(parts, ", ")+".")
}
