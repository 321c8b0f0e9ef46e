package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/checklist/demo"
	"github.com/cieaudit/cieaudit/export"
	"github.com/cieaudit/cieaudit/storage"
)

func newDemoCmd(a *app) *cobra.Command {
	var synthetic int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Crea (una sola volta) l'audit dimostrativo e ne stampa l'ID",
		Long: `Crea (una sola volta) l'audit dimostrativo del Comune di Valdoria e ne stampa l'ID.

Con --synthetic N crea invece N audit sintetici realistici (sedi, postazioni, tutte
le misure risposte, note, modifiche nello storico, azioni), per provare cieaudit su
un database grande e misurarne le prestazioni: circa un milione di risposte al minuto.`,
		Example: `  cieaudit demo
  cieaudit --db prova.db demo --synthetic 6000`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("synthetic") {
				return a.createSynthetic(synthetic)
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			id, created, err := ensureDemo(s, demo.Author)
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(a.stderr, "Creato l'audit dimostrativo del Comune di Valdoria.\n")
			}
			fmt.Fprintln(a.stdout, id)
			return nil
		},
	}
	cmd.Flags().IntVar(&synthetic, "synthetic", 0, fmt.Sprintf("crea N audit sintetici (da 1 a %d) invece dell'audit dimostrativo", maxSynthetic))
	return cmd
}

// maxSynthetic bounds demo --synthetic: about 30 million answers.
const maxSynthetic = 200_000

// syntheticBatch is how many answers CreateAudits commits at once: large
// enough that fsync is rare, small enough that a transaction's dirty pages
// stay a few megabytes.
const syntheticBatch = 20_000

// createSynthetic stores n synthetic audits in batched transactions.
func (a *app) createSynthetic(n int) error {
	if n < 1 || n > maxSynthetic {
		return usagef("--synthetic %d non valido: indicare quanti audit creare, da 1 a %d", n, maxSynthetic)
	}
	if a.remote {
		return errors.New("gli audit sintetici si creano solo in locale, non sul server SSH")
	}
	s, err := a.open()
	if err != nil {
		return err
	}
	cat, err := s.EnsureBuiltin()
	if err != nil {
		return err
	}
	start := time.Now()
	var batch []storage.NewAudit
	var answers, inBatch, done int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := s.CreateAudits(batch, demo.SyntheticAuthor); err != nil {
			return fmt.Errorf("audit sintetici (%d già creati): %w", done, err)
		}
		done += len(batch)
		batch, inBatch = batch[:0], 0
		return nil
	}
	for i := range n {
		sa := demo.Synthetic(cat, i)
		batch = append(batch, storage.NewAudit{Audit: sa.Audit, Answers: sa.Answers, Evaluations: sa.Evaluations, Actions: sa.Actions})
		answers += len(sa.Answers)
		if inBatch += len(sa.Answers); inBatch >= syntheticBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Creati %d audit sintetici (%d risposte date) in %.1f s.\n", done, answers, time.Since(start).Seconds())
	return nil
}

func newCatalogCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "catalog", Short: "Cataloghi di misure: elenco, dettaglio, esportazione, validazione, importazione"}
	cmd.AddCommand(newCatalogImportCmd(a))
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "Elenca i cataloghi disponibili",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			if _, err := s.EnsureBuiltin(); err != nil {
				return err
			}
			cats, err := s.Catalogues()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CATALOGO\tTITOLO\tMISURE\tMINACCE\tNOTE")
			for _, c := range cats {
				note := ""
				switch {
				case c.Current:
					note = "integrato, attuale (predefinito per i nuovi audit)"
				case c.Builtin:
					note = "integrato, versione precedente"
				}
				fmt.Fprintf(tw, "%s@%s\t%s\t%d\t%d\t%s\n", c.ID, c.Version, checklist.CleanText(c.Title, false), c.Items, c.Threats, note)
			}
			return tw.Flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show ID[@VERSIONE]",
		Short: "Mostra minacce e misure di un catalogo",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			c, err := resolveCatalogue(s, args[0])
			if err != nil {
				return err
			}
			printCatalogue(a.stdout, c)
			return nil
		},
	})
	cmd.AddCommand(newCatalogExportCmd(a))
	cmd.AddCommand(&cobra.Command{
		Use:   "validate FILE",
		Short: "Controlla un file di catalogo e ne elenca tutti gli errori",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := a.readUserFile("il catalogo", args[0], checklist.MaxCatalogueBytes)
			if err != nil {
				return err
			}
			c, err := checklist.Parse(src, args[0])
			if err != nil {
				var ve *checklist.ValidationError
				if errors.As(err, &ve) {
					for _, p := range ve.Problems {
						fmt.Fprintln(a.stdout, p)
					}
					return fmt.Errorf("%s: %d problemi nel catalogo", args[0], len(ve.Problems))
				}
				return err
			}
			if !c.HasRiskModel() {
				fmt.Fprintf(a.stdout, "%s: valido (%s, checklist di conformità senza modello di rischio, %s)\n", args[0], c.Key(), checklist.Count(len(c.Items()), "misura", "misure"))
				return nil
			}
			fmt.Fprintf(a.stdout, "%s: valido (%s, %s, %s)\n", args[0], c.Key(), checklist.Count(len(c.Threats), "minaccia", "minacce"), checklist.Count(len(c.Items()), "misura", "misure"))
			return nil
		},
	})
	return cmd
}

// resolveCatalogue finds a stored catalogue by "id@version", or by "id"
// alone when exactly one version is stored or one of them is the current
// built-in (the built-in versions are stored first).
func resolveCatalogue(s *storage.Store, ref string) (*checklist.Catalogue, error) {
	if _, err := s.EnsureBuiltin(); err != nil {
		return nil, err
	}
	if strings.Contains(ref, "@") {
		return s.Catalogue(ref)
	}
	cats, err := s.Catalogues()
	if err != nil {
		return nil, err
	}
	var match []storage.CatalogueInfo
	for _, c := range cats {
		if c.ID == ref {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return nil, fmt.Errorf("catalogo %q non trovato (vedere cieaudit catalog list)", ref)
	case 1:
		return s.Catalogue(match[0].ID + "@" + match[0].Version)
	}
	for _, c := range match {
		if c.Current {
			return s.Catalogue(c.ID + "@" + c.Version)
		}
	}
	return nil, fmt.Errorf("il catalogo %q ha più versioni: indicare ID@VERSIONE (vedere cieaudit catalog list)", ref)
}

func newCatalogExportCmd(a *app) *cobra.Command {
	var format, out, dialect string
	var force bool
	cmd := &cobra.Command{
		Use:   "export ID[@VERSIONE]",
		Short: "Esporta le misure di un catalogo in CSV o XLSX",
		Long: `Esporta le misure di sicurezza del catalogo, una riga per misura: sezione,
domanda, indicazioni per la verifica, categoria, ambito, livello, macroprocessi,
riferimento normativo, origine (normativa, in parte buona pratica, buona pratica),
risposta conforme, vulnerabilità e minacce contrastate con la loro mitigazione.

Con --format csv (predefinito) scrive sullo standard output, o nel file --out;
con --format xlsx serve --out (--out - per lo standard output). Il file è scritto
per intero e poi spostato al suo posto; un file esistente è sostituito solo con
--force. Le celle che iniziano con = + - @ ricevono un apostrofo iniziale.`,
		Example: `  cieaudit catalog export cie-postazioni > misure.csv
  cieaudit catalog export cie-postazioni@2026.1 --format xlsx --out misure-2026.1.xlsx`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := export.ParseCatalogueFormat(format)
			if err != nil {
				return usageError{err}
			}
			d, err := export.ParseDialect(dialect)
			if err != nil {
				return usageError{err}
			}
			if out == "" {
				if f == export.CatalogueXLSX {
					return usagef("--format xlsx richiede --out FILE (oppure --out - per lo standard output)")
				}
				out = "-"
			}
			if out != "-" {
				if err := checkOutFile("--out", out); err != nil {
					return usageError{err}
				}
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			c, err := resolveCatalogue(s, args[0])
			if err != nil {
				return err
			}
			if err := export.WriteCatalogue(c, f, out, a.stdout, export.Options{CSV: d, Force: force}); err != nil {
				return err
			}
			if out != "-" {
				fmt.Fprintf(a.stderr, "%s di %s in %s\n", checklist.Plural(len(c.Items()), "Esportata 1 misura", fmt.Sprintf("Esportate %d misure", len(c.Items()))), c.Key(), out)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "csv", "formato: csv o xlsx")
	fl.StringVar(&out, "out", "", "file di destinazione (- per lo standard output)")
	fl.StringVar(&dialect, "csv", "excel", "dialetto CSV: excel (punto e virgola, BOM) o rfc4180")
	fl.BoolVar(&force, "force", false, "sostituisce un file esistente")
	return cmd
}

// printCatalogue writes the catalogue for a terminal: its threats, then
// every measure with its reference, origin, macroprocessi and threat links.
func printCatalogue(w io.Writer, c *checklist.Catalogue) {
	clean := func(s string) string { return checklist.CleanText(s, false) }
	fmt.Fprintf(w, "%s\n%s — lingua %s\n%s\n", clean(c.Title), c.Key(), c.Language, clean(c.Source))
	if c.HasRiskModel() {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MINACCIA\tNOME\tP\tI\tMISURE")
		for _, t := range c.Threats {
			n := 0
			for _, it := range c.Items() {
				for _, l := range it.Threats {
					if l.Threat == t.ID {
						n++
					}
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", t.ID, clean(t.Name), t.Probability, t.Impact, n)
		}
		tw.Flush()
	} else {
		fmt.Fprintln(w, "Checklist di conformità senza modello di rischio (nessuna minaccia).")
	}
	if len(c.Vulnerabilities) > 0 {
		fmt.Fprintln(w, "\nVULNERABILITÀ (delle misure sulla stessa vulnerabilità conta la più forte)")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, v := range c.Vulnerabilities {
			fmt.Fprintf(tw, "%s\t%s\n", v.ID, clean(v.Name))
		}
		tw.Flush()
	}
	for _, s := range c.Sections {
		fmt.Fprintf(w, "\n%s — %s\n", s.ID, clean(s.Title))
		for i := range s.Items {
			it := &s.Items[i]
			fmt.Fprintf(w, "\n%s  %s\n", it.ID, clean(it.Title()))
			facts := []string{it.Category.Label(), it.Scope.Label(), "livello " + it.Level.Label()}
			if len(it.Macroprocess) > 0 {
				facts = append(facts, it.MacroprocessLabel())
			}
			if it.Answer.Kind != checklist.KindOutcome {
				facts = append(facts, "risposta: "+string(it.Answer.Kind))
			}
			fmt.Fprintf(w, "    %s\n", strings.Join(facts, " · "))
			fmt.Fprintf(w, "    Riferimento: %s\n", clean(it.Reference))
			origin := clean(it.OriginSummary())
			if it.IsDuty() {
				origin += " — requisito normativo"
			}
			fmt.Fprintf(w, "    Origine: %s\n", origin)
			if it.Negative() {
				fmt.Fprintln(w, "    Risposta conforme: no (domanda in negativo)")
			}
			if it.Vulnerability != "" {
				name := it.Vulnerability
				if v := c.Vulnerability(it.Vulnerability); v != nil {
					name += " " + clean(v.Name)
				}
				fmt.Fprintf(w, "    Vulnerabilità: %s\n", name)
			}
			if len(it.Threats) > 0 {
				links := make([]string, len(it.Threats))
				for j, l := range it.Threats {
					name := l.Threat
					if t := c.Threat(l.Threat); t != nil {
						name += " " + clean(t.Name)
					}
					links[j] = fmt.Sprintf("%s %d%%", name, l.Mitigation)
				}
				fmt.Fprintf(w, "    Contrasta: %s\n", strings.Join(links, "; "))
			}
		}
	}
}

func newAuditCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Audit: creazione, elenco, dettaglio"}

	var ente, istat, auditor, catalog, from string
	var year int
	newCmd := &cobra.Command{
		Use:   "new",
		Short: "Crea un nuovo audit (o quello dell'anno dopo, con --from) e ne stampa l'ID",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from != "" {
				if ente != "" || istat != "" {
					return usagef("con --from l'ente è quello dell'audit precedente: non indicare --ente né --istat")
				}
				return a.carryAudit(from, year, auditor, catalog)
			}
			if strings.TrimSpace(ente) == "" || strings.TrimSpace(istat) == "" {
				return usagef("--ente e --istat sono obbligatori (oppure --from AUDIT per partire dall'audit dell'anno prima; vedere %s --help)", cmd.CommandPath())
			}
			if strings.TrimSpace(auditor) == "" {
				return usagef("--auditor è vuoto: indicare il nome dell'auditor")
			}
			istat, err := checklist.CheckISTAT(istat)
			if err != nil {
				return usageError{err}
			}
			if err := checklist.CheckYear(year); err != nil {
				return usageError{err}
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			cat, err := a.catalogueFor(s, catalog)
			if err != nil {
				return err
			}
			au, err := s.CreateAudit(checklist.Audit{
				Ente:             checklist.Ente{Name: ente, ISTAT: istat},
				Year:             year,
				Auditors:         []string{auditor},
				StartDate:        a.now().Format(time.DateOnly),
				CatalogueID:      cat.ID,
				CatalogueVersion: cat.Version,
			}, a.author())
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, au.ID)
			return nil
		},
	}
	newCmd.Flags().StringVar(&ente, "ente", "", "nome dell'ente, es. \"Comune di Valdoria\" (obbligatorio senza --from)")
	newCmd.Flags().StringVar(&istat, "istat", "", "codice ISTAT del comune, 6 cifre (obbligatorio senza --from)")
	newCmd.Flags().IntVar(&year, "year", 0, "anno dell'audit (obbligatorio)")
	newCmd.Flags().StringVar(&auditor, "auditor", "", "nome dell'auditor (obbligatorio)")
	newCmd.Flags().StringVar(&catalog, "catalog", "", "catalogo: ID[@VERSIONE] già caricato o FILE YAML (predefinito: quello incorporato; con --from quello dell'audit precedente)")
	newCmd.Flags().StringVar(&from, "from", "", "audit dell'anno prima da cui partire: ente, sedi, postazioni, operatori, valutazioni e azioni aperte; ogni risposta resta da verificare")
	for _, f := range []string{"year", "auditor"} {
		newCmd.MarkFlagRequired(f)
	}
	cmd.AddCommand(newCmd, newAuditDiffCmd(a), newAuditSetCmd(a))

	var listJSON bool
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "Elenca gli audit",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open()
			if err != nil {
				return err
			}
			audits, err := s.ListAudits()
			if err != nil {
				return err
			}
			if listJSON {
				rows := make([]auditListJSON, len(audits))
				for i, au := range audits {
					rows[i] = auditListJSON{au.ID, au.Ente, au.ISTAT, au.Year, au.Status, au.Catalogue,
						au.Progress.Answered, au.Progress.Total, au.UpdatedAt}
				}
				return writeSchemaJSON(a.stdout, "audit-list", struct {
					Audits []auditListJSON `json:"audits"`
				}{rows})
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tENTE\tANNO\tSTATO\tAVANZAMENTO\tCATALOGO")
			// Built by hand rather than with Fprintf: with 10,000 audits
			// formatting was a third of the command's CPU.
			var line []byte
			for _, au := range audits {
				line = append(line[:0], au.ID...)
				line = append(append(line, '\t'), au.Ente...)
				line = strconv.AppendInt(append(line, '\t'), int64(au.Year), 10)
				line = append(append(line, '\t'), au.Status.Label()...)
				line = strconv.AppendInt(append(line, '\t'), int64(au.Progress.Answered), 10)
				line = strconv.AppendInt(append(line, '/'), int64(au.Progress.Total), 10)
				line = strconv.AppendFloat(append(line, " ("...), au.Progress.Percent(), 'f', 0, 64)
				line = append(append(line, "%)\t"...), au.Catalogue...)
				if _, err := tw.Write(append(line, '\n')); err != nil {
					return err
				}
			}
			return tw.Flush()
		},
	}
	listCmd.Flags().BoolVar(&listJSON, "json", false, "stampa in JSON (schema in docs/schema/)")
	cmd.AddCommand(listCmd)

	var showJSON bool
	showCmd := &cobra.Command{
		Use:   "show ID",
		Short: "Mostra un audit con tutte le risposte",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			if showJSON {
				p := snap.AuditProgress()
				return writeSchemaJSON(a.stdout, "audit-show", auditShowJSON{
					Audit:       snap.Audit,
					Answers:     nonNil(snap.Answers),
					Evaluations: nonNil(snap.Evaluations),
					Progress:    progressJSON{p.Total, p.Answered, p.Yes, p.No, p.Partial, p.NotApplic, p.Unanswered},
				})
			}
			printAudit(a.stdout, snap)
			return nil
		},
	}
	showCmd.Flags().BoolVar(&showJSON, "json", false, "stampa in JSON (schema in docs/schema/)")
	cmd.AddCommand(showCmd)

	var confirmed bool
	deleteCmd := &cobra.Command{
		Use:   "delete ID --yes",
		Short: "Elimina un audit con tutte le risposte (resta traccia di chi l'ha eliminato)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !confirmed {
				return usagef("l'eliminazione non si può annullare: confermare con --yes (fare prima cieaudit backup)")
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			if err := s.DeleteAudit(args[0], a.author()); err != nil {
				return auditErr(args[0], err)
			}
			fmt.Fprintf(a.stdout, "Audit %s eliminato.\n", args[0])
			return nil
		},
	}
	deleteCmd.Flags().BoolVar(&confirmed, "yes", false, "conferma l'eliminazione")
	cmd.AddCommand(deleteCmd)
	return cmd
}

type auditListJSON struct {
	ID        string           `json:"id"`
	Ente      string           `json:"ente"`
	ISTAT     string           `json:"istat"`
	Year      int              `json:"year"`
	Status    checklist.Status `json:"status"`
	Catalogue string           `json:"catalogue"`
	Answered  int              `json:"answered"`
	Total     int              `json:"total"`
	UpdatedAt time.Time        `json:"updated_at"`
}

type auditShowJSON struct {
	checklist.Audit
	Answers     []checklist.Answer     `json:"answers"`
	Evaluations []checklist.Evaluation `json:"evaluations"`
	Progress    progressJSON           `json:"progress"`
}

type progressJSON struct {
	Total         int `json:"total"`
	Answered      int `json:"answered"`
	Yes           int `json:"si"`
	No            int `json:"no"`
	Partial       int `json:"parziale"`
	NotApplicable int `json:"na"`
	Unanswered    int `json:"non_verificato"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// catalogueFor returns the catalogue a new audit is pinned to: the builtin,
// a stored "id[@version]", or a YAML file that is validated and stored.
// For an SSH session files are never read: they would be the server's.
func (a *app) catalogueFor(s *storage.Store, ref string) (*checklist.Catalogue, error) {
	if ref == "" {
		return s.EnsureBuiltin()
	}
	if a.remote {
		return resolveCatalogue(s, ref)
	}
	// A path that exists (or "-", standard input) is a catalogue file;
	// anything else is the ID of a stored catalogue.
	if _, err := os.Lstat(ref); err == nil || ref == "-" {
		src, err := a.readUserFile("il catalogo", ref, checklist.MaxCatalogueBytes)
		if err != nil {
			return nil, err
		}
		return s.SaveCatalogue(src, ref)
	}
	return resolveCatalogue(s, ref)
}

// loadAudit opens the store and reads everything about one audit.
func (a *app) loadAudit(id string) (*checklist.Snapshot, error) {
	s, err := a.open()
	if err != nil {
		return nil, err
	}
	snap, err := s.Load(id)
	if err != nil {
		return nil, auditErr(id, err)
	}
	return snap, nil
}

func auditErr(id string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("audit %q non trovato (vedere cieaudit audit list)", id)
	}
	return err
}

func printAudit(w io.Writer, snap *checklist.Snapshot) {
	au := snap.Audit
	p := snap.AuditProgress()
	fmt.Fprintf(w, "%s — audit %d (%s)\n", au.Ente.Name, au.Year, au.ID)
	fmt.Fprintf(w, "Stato: %s   Catalogo: %s   Auditor: %s\n", au.Status.Label(), au.CatalogueKey(), strings.Join(au.Auditors, ", "))
	if l := au.Logo; l != nil {
		fmt.Fprintf(w, "Stemma: %s %d×%d, %s\n", checklist.EvidenceTypeLabel(l.Type), l.Width, l.Height, checklist.FormatBytes(l.Size))
	}
	fmt.Fprintf(w, "Avanzamento: %d/%d risposte (%.0f%%): sì %d, no %d, parziale %d, n/a %d\n",
		p.Answered, p.Total, p.Percent(), p.Yes, p.No, p.Partial, p.NotApplic)
	for _, sc := range au.Scopes() {
		sp := snap.ScopeProgress(sc)
		fmt.Fprintf(w, "\n%s — %d/%d\n", sc.Label(), sp.Answered, sp.Total)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, it := range snap.Catalogue.ItemsFor(sc.Kind) {
			ans, ok := snap.Answer(sc, it.ID)
			if !ok || ans.Value == "" {
				continue
			}
			note := ""
			if ans.Note != "" {
				note = "  — " + strings.ReplaceAll(ans.Note, "\n", " ")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s%s\n", it.ID, checklist.DisplayValue(it, ans.Value), it.Title(), note)
		}
		tw.Flush()
	}
}

func newWorkstationCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "workstation", Short: "Postazioni di emissione CIE di un audit"}
	var code, sede, room, office, osName, notes string
	var hw checklist.Inventory
	add := &cobra.Command{
		Use:   "add AUDIT",
		Short: "Aggiunge una postazione (e la sede, se nuova)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code, err := checklist.CheckPostazioneCode(code)
			if err != nil {
				return usageError{err}
			}
			sede, err := checklist.CheckSedeName(sede)
			if err != nil {
				return usageError{err}
			}
			if err := checklist.CheckOffice(checklist.Office(office)); err != nil {
				return usageError{err}
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			newSede := false
			_, err = s.UpdateAudit(args[0], a.author(), "", func(au *checklist.Audit) error {
				var err error
				newSede, err = au.AddPostazione(checklist.Postazione{
					Code: code, Sede: sede, Room: room, Office: checklist.Office(office), Hardware: hw, OS: osName, Notes: notes,
				}, true)
				return err
			})
			if err != nil {
				return auditErr(args[0], err)
			}
			if newSede {
				fmt.Fprintf(a.stderr, "Aggiunta la nuova sede %q.\n", sede)
			}
			fmt.Fprintf(a.stdout, "postazione:%s\n", code)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&code, "code", "", "codice della postazione assegnato dal Ministero (obbligatorio)")
	f.StringVar(&sede, "sede", "", "nome della sede (obbligatorio; creata se non esiste)")
	f.StringVar(&room, "room", "", "locale")
	f.StringVar(&office, "office", "", "front o back (office)")
	f.StringVar(&osName, "os", "", "sistema operativo")
	f.StringVar(&notes, "notes", "", "note")
	f.StringVar(&hw.PC, "pc", "", "PC (modello, matricola)")
	f.StringVar(&hw.LettoreImpronte, "lettore-impronte", "", "lettore di impronte")
	f.StringVar(&hw.LettoreSmartCard, "lettore-smartcard", "", "lettore di smart card")
	f.StringVar(&hw.Multifunzione, "multifunzione", "", "stampante multifunzione")
	f.StringVar(&hw.LettoreBarcode, "lettore-barcode", "", "lettore di codici a barre")
	f.StringVar(&hw.Altro, "altro", "", "altri apparati")
	add.MarkFlagRequired("code")
	add.MarkFlagRequired("sede")
	cmd.AddCommand(add)
	cmd.AddCommand(renameRemoveCmds(a, checklist.ScopePostazione, "la postazione")...)
	return cmd
}

func newAnswerCmd(a *app) *cobra.Command {
	var scope, item, value, note string
	cmd := &cobra.Command{
		Use:   "answer AUDIT",
		Short: "Registra la risposta a una misura",
		Long: `Registra la risposta a una misura per un ambito dell'audit.

AMBITO è ente, sede:NOME o postazione:CODICE. Per le misure di tipo esito il valore
è si, no, parziale o na (na richiede --note con la giustificazione).
--value "" riporta la misura a «Non verificato» (valore e nota; con --note resta
solo la nota): lo storico conserva la risposta cancellata.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := checklist.ParseScope(scope)
			if err != nil {
				return usageError{err}
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			res, err := s.SaveAnswer(args[0], checklist.Answer{
				Scope: sc, Item: strings.TrimSpace(item), Value: value, Note: note, Author: a.author(),
			}, -1)
			if err != nil {
				return auditErr(args[0], err)
			}
			if res.Answer.Value == "" {
				fmt.Fprintf(a.stdout, "Salvato: %s %s riportata a Non verificato\n", sc, res.Answer.Item)
				return nil
			}
			fmt.Fprintf(a.stdout, "Salvato: %s %s = %s\n", res.Answer.Scope, res.Answer.Item, res.Answer.Value)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&scope, "scope", "", "ambito: ente, sede:NOME o postazione:CODICE (obbligatorio)")
	f.StringVar(&item, "item", "", "ID della misura, es. TEC-01 (obbligatorio)")
	f.StringVar(&value, "value", "", "valore: si, no, parziale, na, oppure numero/testo/data/scelta; \"\" azzera (obbligatorio)")
	f.StringVar(&note, "note", "", "nota o giustificazione")
	for _, n := range []string{"scope", "item", "value"} {
		cmd.MarkFlagRequired(n)
	}
	return cmd
}

func newBackupCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE|CARTELLA|-",
		Short: "Copia coerente del database, anche mentre è in uso",
		Long: "Scrive una copia coerente del database, verificata prima di darla per fatta, in FILE, in\n" +
			"un file datato dentro CARTELLA (cieaudit-AAAAMMGG-HHMMSS.db) o, con -, sullo standard output.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openExisting()
			if err != nil {
				return err
			}
			if args[0] == "-" {
				if _, err := s.BackupTo(a.stdout); err != nil {
					return fmt.Errorf("backup: %w", err)
				}
				return nil
			}
			written, err := s.Backup(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Backup scritto e verificato in %s\n", written)
			return nil
		},
	}
}

func newDoctorCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Verifica l'integrità del database e ne riassume il contenuto",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openExisting()
			if err != nil {
				return err
			}
			r, err := s.Check()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Database: %s (%d byte)\nVersione dello schema: %d\nCataloghi: %d\nAudit: %d\nRisposte: %d\nVoci di storico: %d\n",
				r.Path, r.SizeBytes, r.SchemaVersion, r.Catalogues, r.Audits, r.Answers, r.HistoryItems)
			if len(r.Problems) > 0 {
				for _, p := range r.Problems {
					fmt.Fprintf(a.stdout, "PROBLEMA: %s\n", p)
				}
				return fmt.Errorf("il controllo di integrità ha trovato %d problemi", len(r.Problems))
			}
			fmt.Fprintln(a.stdout, "Integrità: OK")
			return nil
		},
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
