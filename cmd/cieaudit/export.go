package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
	"github.com/cieaudit/cieaudit/storage"
)

// Output formats of the export command.
const (
	formatBundle = "bundle"
	formatCSV    = "csv"
	formatJSON   = "json"
)

type exportFlags struct {
	out     string
	all     bool
	format  string
	zip     bool
	force   bool
	dialect string
	table   string
	sign    string
}

func newExportCmd(a *app) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export [AUDIT] --out DIR",
		Short: "Esporta il piano di sicurezza e le tabelle di un audit (PDF, HTML, CSV, XLSX, JSON)",
		Long: `Scrive in una cartella il fascicolo dell'audit: piano-sicurezza-cie.pdf e .html
(il piano da firmare), risposte.csv, postazioni.csv, rischi.csv, azioni.csv,
storico.csv, eventi.csv, operatori.csv, variazioni.csv, audit.xlsx, audit.json e
SHA256SUMS (verificabile con sha256sum -c). Con --sign CHIAVE scrive anche
SHA256SUMS.sig, la firma SSH (formato SSHSIG, namespace cieaudit) di SHA256SUMS,
verificabile con ssh-keygen -Y verify (docs/export.md, «Verifica della firma»).
Le colonne e il formato JSON sono descritti in docs/export.md.

La cartella non deve esistere o deve essere vuota (--force la sostituisce); il
fascicolo è scritto in una cartella temporanea e poi spostato, quindi un errore
non lascia file a metà. Con --zip scrive un unico archivio (DIR.zip, o --out
stesso se finisce in .zip). Esportare due volte lo stesso audit dà file identici.

Con --format csv scrive solo le tabelle CSV; con --all le scrive per tutti
gli audit del database (una riga per risposta, postazione, rischio, azione,
modifica, evento, operatore o variazione, con la colonna audit_id). Con --out - (o --format csv senza --out)
scrive una sola tabella (--table, predefinita risposte) sullo standard output,
per le pipe.

Con --format json scrive sullo standard output un audit per riga (JSON Lines), ogni
riga il documento audit.json (schema cieaudit.audit/v1, docs/schema/audit.schema.json);
con --all tutti gli audit, letti e scritti uno alla volta.

Le celle CSV/XLSX che iniziano con = + - @ tabulazione o a capo ricevono un
apostrofo iniziale, perché i fogli di calcolo non le eseguano come formule.`,
		Example: `  cieaudit export 1a2b3c4d --out piano-2026
  cieaudit export 1a2b3c4d --out piano-2026.zip --zip
  cieaudit export 1a2b3c4d --out piano-2026 --sign ~/.ssh/id_ed25519
  cieaudit export --all --format csv --out tabelle
  cieaudit export --all --format csv --csv rfc4180 --out - | wc -l
  cieaudit export --all --format json > audit.jsonl`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runExport(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "cartella (o file .zip) di destinazione; - per lo standard output (solo --format csv)")
	fl.BoolVar(&f.all, "all", false, "esporta tutti gli audit del database (solo --format csv)")
	fl.StringVar(&f.format, "format", "", "bundle (fascicolo completo, predefinito per un audit), csv (solo tabelle, predefinito con --all) o json (JSON Lines sullo standard output, un audit per riga)")
	fl.BoolVar(&f.zip, "zip", false, "scrive un archivio zip invece di una cartella")
	fl.BoolVar(&f.force, "force", false, "sostituisce una destinazione esistente e non vuota")
	fl.StringVar(&f.dialect, "csv", string(export.DialectExcel), "dialetto CSV: excel (separatore ; e BOM UTF-8) o rfc4180 (virgola, senza BOM)")
	fl.StringVar(&f.sign, "sign", "", "firma SHA256SUMS con questa chiave SSH (privata, o .pub di una chiave nell'agente): scrive SHA256SUMS.sig, verificabile con ssh-keygen -Y verify -n cieaudit")
	fl.StringVar(&f.table, "table", string(export.TableAnswers), "tabella scritta con --out -: risposte, postazioni, rischi, azioni, storico, eventi, operatori o variazioni")
	return cmd
}

// check validates the combination of arguments and flags; every mistake is
// a usage error (exit 2) naming the flag at fault.
func (f *exportFlags) check(args []string) (export.Dialect, export.Table, error) {
	switch {
	case f.all && len(args) > 0:
		return "", "", usagef("indicare un audit oppure --all, non entrambi")
	case !f.all && len(args) == 0:
		return "", "", usagef("indicare l'ID dell'audit da esportare oppure --all (vedere cieaudit audit list)")
	case strings.TrimSpace(f.out) == "" && f.format != formatCSV && f.format != formatJSON:
		return "", "", usagef("indicare la destinazione con --out DIR (o --out - per lo standard output)")
	}
	if strings.TrimSpace(f.out) == "" {
		// "export AUDIT --format csv" is the pipe form the SSH back
		// office uses: the table goes to standard output.
		f.out = "-"
	}
	if f.format == "" {
		f.format = formatBundle
		if f.all || f.out == "-" {
			f.format = formatCSV
		}
	}
	switch f.format {
	case formatBundle, formatCSV:
	case formatJSON:
		if f.out != "-" {
			return "", "", usagef("--format json scrive sullo standard output: togliere --out %s o usare --out -", f.out)
		}
	default:
		return "", "", usagef("--format %q non valido: usare bundle, csv o json", f.format)
	}
	if f.all && f.format == formatBundle {
		return "", "", usagef("--all esporta le tabelle o il JSON, non il fascicolo: usare --format csv o --format json")
	}
	if f.out == "-" && f.format == formatBundle {
		return "", "", usagef("--out - scrive una tabella CSV o il JSON: usare --format csv o --format json")
	}
	if f.sign != "" && f.format != formatBundle {
		return "", "", usagef("--sign firma il fascicolo completo (--format bundle), non le tabelle né il JSON")
	}
	if f.zip && f.format != formatBundle {
		return "", "", usagef("--zip vale solo per il fascicolo completo (--format bundle)")
	}
	if strings.HasSuffix(strings.ToLower(f.out), ".zip") && f.format == formatBundle {
		f.zip = true
	}
	if f.out != "-" {
		check := checkOutDir
		if f.zip {
			check = checkOutFile
		}
		if err := check("--out", f.out); err != nil {
			return "", "", usageError{err}
		}
	}
	d, err := export.ParseDialect(f.dialect)
	if err != nil {
		return "", "", usagef("--csv: %v", err)
	}
	t, err := export.ParseTable(f.table)
	if err != nil {
		return "", "", usagef("--table: %v", err)
	}
	return d, t, nil
}

// maxChain is how many previous years a report compares with.
const maxChain = 10

func (a *app) runExport(cmd *cobra.Command, args []string, f exportFlags) error {
	dialect, table, err := f.check(args)
	if err != nil {
		return err
	}
	s, err := a.open()
	if err != nil {
		return err
	}
	opts := export.Options{CSV: dialect, Zip: f.zip, Force: f.force}
	if f.sign != "" {
		if opts.Signer, err = a.bundleSigner(f.sign); err != nil {
			return err
		}
	}

	if f.format == formatJSON {
		each := s.EachAudit
		if !f.all {
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			each = func(fn func(*checklist.Snapshot) error) error { return fn(snap) }
		}
		return writeJSONLines(a.stdout, each)
	}

	if f.all {
		if !a.remote {
			// The live heap of a batch export is one batch of audits (a
			// dozen MiB): left to GOGC=100 the collector would run each
			// time as much again is allocated. A fixed 32 MiB target cuts
			// about a fifth of the CPU and keeps the peak RSS flat. (The
			// SSH server runs commands in its own process: not there.)
			defer debug.SetGCPercent(debug.SetGCPercent(400))
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(32 << 20))
		}
		bar := a.progressBar()
		if bar != nil {
			// Counting first costs one extra read of the database: only
			// worth it when someone is watching the bar.
			if list, err := s.ListAudits(); err == nil {
				bar.total = len(list)
			}
		}
		if f.out == "-" {
			err = export.WriteBatchCSV(a.stdout, table, eachAudit(s, table), dialect, bar.audit)
		} else {
			var paths []string
			paths, err = export.WriteTablesDir(eachAudit(s, export.Tables...), f.out, opts, bar.audit)
			bar.done()
			if err == nil {
				printPaths(a.stdout, paths)
			}
		}
		bar.done()
		return err
	}

	// With its predecessors, for the comparison with the previous years.
	snap, err := s.LoadChain(args[0], maxChain)
	if err != nil {
		return auditErr(args[0], err)
	}
	assessment := checklist.Assess(snap)
	switch {
	case f.out == "-":
		return export.WriteCSV(a.stdout, table, snap, assessment, dialect)
	case f.format == formatCSV:
		paths, err := export.WriteTablesDir(func(fn func(*checklist.Snapshot) error) error { return fn(snap) }, f.out, opts, nil)
		if err != nil {
			return err
		}
		printPaths(a.stdout, paths)
		return nil
	}
	bar := a.progressBar()
	if bar != nil {
		opts.Progress = func(done, total int, file string) {
			bar.total = total
			bar.set(done, file)
		}
	}
	if len(snap.Evidence) > 0 {
		if opts.Evidence, err = s.EvidenceContents(snap.Audit.ID); err != nil {
			return err
		}
	}
	paths, err := export.Bundle(snap, assessment, f.out, opts)
	bar.done()
	if err != nil {
		return err
	}
	printPaths(a.stdout, paths)
	return nil
}

// writeJSONLines writes each audit as its audit.json document
// (cieaudit.audit/v1) on one line: JSON Lines, one audit per line, written
// as the audits are read, so a large database streams.
func writeJSONLines(w io.Writer, each export.EachFunc) error {
	var doc, line bytes.Buffer
	return each(func(snap *checklist.Snapshot) error {
		doc.Reset()
		line.Reset()
		if err := export.WriteJSON(&doc, snap, nil); err != nil {
			return err
		}
		if err := json.Compact(&line, doc.Bytes()); err != nil {
			return err
		}
		line.WriteByte('\n')
		_, err := w.Write(line.Bytes())
		return err
	})
}

// eachAudit walks the store reading of each audit only what the tables
// write: the answers for risposte and postazioni, the history for storico,
// the answers and the action plans and overrides for the risk tables.
func eachAudit(s *storage.Store, tables ...export.Table) export.EachFunc {
	var parts storage.Parts
	for _, t := range tables {
		switch t {
		case export.TableAnswers, export.TableWorkstations:
			parts |= storage.ReadAnswers
		case export.TableRisks, export.TableActions:
			parts |= storage.ReadAnswers | storage.ReadActions
		case export.TableHistory:
			parts |= storage.ReadHistory
		default:
			parts |= storage.ReadAll
		}
	}
	return func(fn func(*checklist.Snapshot) error) error { return s.EachAuditParts(parts, fn) }
}

// printPaths lists what was written, one path a line, for scripts.
func printPaths(w io.Writer, paths []string) {
	for _, p := range paths {
		fmt.Fprintln(w, p)
	}
}

// progressBar draws a one-line bar on stderr, only when stderr is a
// terminal: pipes and logs get nothing extra. All its methods accept a nil
// receiver, which draws nothing.
type progressBar struct {
	w     io.Writer
	total int
	shown bool
}

// barWidth is the width of the bar in cells.
const barWidth = 30

func (a *app) progressBar() *progressBar {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: f}
}

// audit is the progress callback of the batch writers.
func (b *progressBar) audit(done int) {
	if b == nil {
		return
	}
	b.set(done, "audit")
}

func (b *progressBar) set(done int, what string) {
	if b == nil {
		return
	}
	pct := 0.0
	label := fmt.Sprintf(" %d %s", done, what)
	if b.total > 0 {
		pct = min(1, float64(done)/float64(b.total))
		label = fmt.Sprintf(" %d/%d %s", done, b.total, what)
	}
	filled := int(pct * barWidth)
	if b.total == 0 {
		// Unknown total: a bouncing block says "still working".
		filled = 0
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled)
	if b.total == 0 {
		pos := done % barWidth
		bar = strings.Repeat("░", pos) + "█" + strings.Repeat("░", barWidth-pos-1)
	}
	b.shown = true
	fmt.Fprintf(b.w, "\r\x1b[2K%s %3.0f%%%s", bar, pct*100, label)
}

func (b *progressBar) done() {
	if b == nil || !b.shown {
		return
	}
	b.shown = false
	fmt.Fprint(b.w, "\r\x1b[2K")
}
