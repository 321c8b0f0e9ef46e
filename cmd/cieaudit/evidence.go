package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
)

func newEvidenceCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "Allegati delle misure (foto, verbali scansionati, documenti)"}

	var scope, item, name, note string
	add := &cobra.Command{
		Use:   "add AUDIT --scope AMBITO --item MISURA FILE|-",
		Short: "Allega un file a una misura e ne stampa l'ID",
		Long: fmt.Sprintf(`Allega un file (- per lo standard input) alla misura di un ambito. Il tipo è
riconosciuto dal contenuto, non dal nome: ammessi %s.
Limiti: %d MiB per file, %d MiB e %d file per audit. Il file è conservato nel
database (una sola copia per contenuto, identificata dallo SHA-256), non viene mai
aperto né eseguito, ed entra nel fascicolo in evidenze/.
Via SSH: ssh … evidence add AUDIT --scope … --item … --name foto.jpg - < foto.jpg`,
			checklist.EvidenceTypesText, checklist.MaxEvidenceBytes>>20, checklist.MaxEvidenceAuditBytes>>20, checklist.MaxEvidenceFiles),
		Example: `  cieaudit evidence add 1a2b3c4d --scope sede:Municipio --item FIS-01 foto-armadio.jpg --note "armadio chiuso a chiave"
  cieaudit evidence add 1a2b3c4d --scope ente --item ORG-02 --name verbale.pdf - < scansione.pdf`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := checklist.ParseScope(scope)
			if err != nil {
				return usageError{err}
			}
			path := args[1]
			if a.remote && path != "-" {
				return usagef("via SSH il file si passa sullo standard input: evidence add … --name NOME - < file")
			}
			if name == "" {
				name = filepath.Base(path)
			}
			data, err := a.readUserFile("il file da allegare", path, checklist.MaxEvidenceBytes)
			if err != nil {
				return err
			}
			if path == "-" && name == "-" {
				mime, err := checklist.DetectEvidenceType(data)
				if err != nil {
					return err
				}
				name = "allegato." + checklist.EvidenceExt(mime)
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			e, err := s.AddEvidence(args[0], sc, strings.TrimSpace(item), name, note, data, a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			fmt.Fprintln(a.stdout, e.ID)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&scope, "scope", "", "ambito: ente, sede:NOME o postazione:CODICE (obbligatorio)")
	f.StringVar(&item, "item", "", "ID della misura, es. FIS-01 (obbligatorio)")
	f.StringVar(&name, "name", "", "nome dell'allegato (predefinito: il nome del file)")
	f.StringVar(&note, "note", "", "descrizione dell'allegato")
	add.MarkFlagRequired("scope")
	add.MarkFlagRequired("item")
	cmd.AddCommand(add)

	cmd.AddCommand(newRecordListCmd(a, "Elenca gli allegati: ambito, misura, nome, tipo, dimensione e SHA-256", "evidence-list",
		func(snap *checklist.Snapshot) any {
			rows := make([]evidenceJSON, 0, len(snap.Evidence))
			for _, e := range snap.Evidence {
				rows = append(rows, newEvidenceJSON(e))
			}
			return struct {
				Audit    string         `json:"audit"`
				Evidence []evidenceJSON `json:"evidence"`
			}{snap.Audit.ID, rows}
		},
		func(w io.Writer, snap *checklist.Snapshot) error { return printEvidence(w, snap.Evidence) }))

	var out string
	var force bool
	get := &cobra.Command{
		Use:     "get AUDIT ID --out FILE|-",
		Short:   "Scrive il contenuto di un allegato in un file o sullo standard output",
		Example: `  cieaudit evidence get 1a2b3c4d al-1 --out foto.jpg`,
		Args:    exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out != "-" {
				if err := checkOutFile("--out", out); err != nil {
					return usageError{err}
				}
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			_, data, err := s.EvidenceContent(args[0], args[1])
			if err != nil {
				return auditErr(args[0], err)
			}
			write := func(w io.Writer) error { _, err := w.Write(data); return err }
			if out == "-" {
				return write(a.stdout)
			}
			return export.PublishFile(out, export.Options{Force: force}, write)
		},
	}
	get.Flags().StringVarP(&out, "out", "o", "", "file di destinazione, - per lo standard output (obbligatorio)")
	get.Flags().BoolVar(&force, "force", false, "sostituisce un file esistente")
	get.MarkFlagRequired("out")
	cmd.AddCommand(get)

	remove := &cobra.Command{
		Use:   "remove AUDIT ID",
		Short: "Toglie un allegato (lo storico conserva nome, tipo, dimensione e SHA-256)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			e, err := s.RemoveEvidence(args[0], args[1], a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			fmt.Fprintf(a.stdout, "Tolto: %s %s\n", e.ID, checklist.CleanText(e.Name, false))
			return nil
		},
	}
	cmd.AddCommand(remove)
	return cmd
}

type evidenceJSON struct {
	ID     string    `json:"id"`
	Scope  string    `json:"scope"`
	Item   string    `json:"item"`
	Name   string    `json:"name"`
	Note   string    `json:"note"`
	Type   string    `json:"type"`
	Size   int64     `json:"size"`
	SHA256 string    `json:"sha256"`
	File   string    `json:"file"`
	Author string    `json:"author"`
	At     time.Time `json:"at"`
}

func newEvidenceJSON(e checklist.Evidence) evidenceJSON {
	return evidenceJSON{e.ID, e.Scope.String(), e.Item, e.Name, e.Note, e.Type, e.Size, e.Digest,
		"evidenze/" + checklist.EvidenceFileName(e), e.Author, e.At.UTC()}
}

func printEvidence(w io.Writer, es []checklist.Evidence) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAMBITO\tMISURA\tNOME\tTIPO\tDIMENSIONE\tSHA-256")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, checklist.CleanText(e.Scope.String(), false), e.Item,
			checklist.CleanText(e.Name, false), checklist.EvidenceTypeLabel(e.Type), checklist.FormatBytes(e.Size), e.Digest)
	}
	return tw.Flush()
}
