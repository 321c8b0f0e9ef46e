package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/export"
	"github.com/cieaudit/cieaudit/storage"
)

// The yearly cycle's commands: plan, operator, event, sheet, declaration
// and deadlines. Their rules are in checklist (cycle_*.go); a value that
// cannot be read is a usage error (exit 2), one the audit's data refuse
// exits 1. Nothing is written when either happens.

func (a *app) today() string { return checklist.LocalDay(a.now()) }

// dateFlag checks that a date flag reads as a date (usage error otherwise).
func dateFlag(flag, v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if _, err := checklist.NormaliseDate("data", v); err != nil {
		return usagef("%s: %v", flag, err)
	}
	return nil
}

func newPlanCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "plan", Short: "Piano di sicurezza: edizione, adozione, trasmissione alla Prefettura ed esito"}
	var number int
	texts := map[string]*string{}
	set := &cobra.Command{
		Use:   "set AUDIT",
		Short: "Registra edizione, adozione, protocollo, trasmissione o esito del piano",
		Long: `Registra i dati del piano di sicurezza dell'audit; le opzioni non indicate restano
come sono. Con --sent-on la trasmissione alla Prefettura fissa il piano come inviato
(perimetro, inventario, organizzazione, operatori, esito di ogni misura): le modifiche
successive sono variazioni. La Prefettura ha 30 giorni dalla ricezione per l'esito.
Cambiare edizione di un piano già trasmesso apre una nuova edizione.

Le date si scrivono AAAA-MM-GG o GG/MM/AAAA.`,
		Example: `  cieaudit plan set 1a2b3c4d --edition beta --adopted-act "delibera di Giunta n. 45" --adopted-on 2026-10-01
  cieaudit plan set 1a2b3c4d --sent-on 15/10/2026 --channel pec --receipt "PEC 0012345"
  cieaudit plan set 1a2b3c4d --outcome conforme --outcome-on 2026-11-10`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var c checklist.PlanChange
			fields := map[string]**string{
				"edition": &c.Edition, "adopted-act": &c.AdoptedAct, "adopted-on": &c.AdoptedOn, "protocol": &c.Protocol,
				"protocol-on": &c.ProtocolOn, "sent-on": &c.SentOn, "channel": &c.Channel, "receipt": &c.Receipt,
				"outcome": &c.Outcome, "outcome-on": &c.OutcomeOn, "outcome-note": &c.OutcomeNote,
			}
			for name, dst := range fields {
				if cmd.Flags().Changed(name) {
					*dst = texts[name]
				}
			}
			if cmd.Flags().Changed("number") {
				c.Number = &number
			}
			if c.Empty() {
				return usagef("indicare almeno un dato del piano da registrare (vedere cieaudit plan set --help)")
			}
			if err := checkPlanFlags(c); err != nil {
				return err
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			p, sent, err := s.SavePlan(args[0], c, a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			if sent {
				fmt.Fprintf(a.stdout, "Trasmissione registrata: piano %s trasmesso il %s; il piano come inviato è il riferimento per le variazioni. Esito della Prefettura atteso entro il %s.\n",
					p.EditionLabel(), checklist.ItalianDate(p.SentOn), checklist.ItalianDate(p.TermEnds()))
				return nil
			}
			fmt.Fprintln(a.stdout, "Salvato.")
			return nil
		},
	}
	f := set.Flags()
	for _, d := range []struct{ name, usage string }{
		{"edition", "edizione: alfa, beta o aggiornamento"},
		{"adopted-act", "atto di adozione (tipo e numero, es. \"delibera di Giunta n. 45\")"},
		{"adopted-on", "data dell'atto di adozione"},
		{"protocol", "numero di protocollo"},
		{"protocol-on", "data del protocollo"},
		{"sent-on", "data di trasmissione alla Prefettura (fissa il piano come inviato)"},
		{"channel", "canale della trasmissione: pec, cartaceo o altro"},
		{"receipt", "riferimento della ricevuta (es. ricevuta di consegna PEC)"},
		{"outcome", "esito della Prefettura: in-attesa, conforme o rilievi"},
		{"outcome-on", "data dell'esito"},
		{"outcome-note", "testo dei rilievi o note sull'esito"},
	} {
		texts[d.name] = f.String(d.name, "", d.usage)
	}
	f.IntVar(&number, "number", 0, "numero dell'aggiornamento (con --edition aggiornamento)")
	cmd.AddCommand(set)

	var showJSON bool
	show := &cobra.Command{
		Use:   "show AUDIT",
		Short: "Mostra il piano, le trasmissioni, il termine della Prefettura e le variazioni",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			if showJSON {
				return writeJSON(a.stdout, newPlanJSON(snap, a.today()))
			}
			printPlan(a.stdout, snap, a.today())
			return nil
		},
	}
	show.Flags().BoolVar(&showJSON, "json", false, "stampa in JSON (schema cieaudit.plan/v1)")
	cmd.AddCommand(show)
	return cmd
}

// checkPlanFlags refuses values that cannot be read, as usage errors.
func checkPlanFlags(c checklist.PlanChange) error {
	if c.Edition != nil && *c.Edition != "" {
		if _, err := checklist.ParseEdition(*c.Edition); err != nil {
			return usagef("--edition: %v", err)
		}
	}
	if c.Channel != nil && *c.Channel != "" {
		if _, err := checklist.ParseChannel(*c.Channel); err != nil {
			return usagef("--channel: %v", err)
		}
	}
	if c.Outcome != nil && *c.Outcome != "" {
		if _, err := checklist.ParsePlanOutcome(*c.Outcome); err != nil {
			return usagef("--outcome: %v", err)
		}
	}
	for flag, v := range map[string]*string{"--adopted-on": c.AdoptedOn, "--protocol-on": c.ProtocolOn, "--sent-on": c.SentOn, "--outcome-on": c.OutcomeOn} {
		if v != nil {
			if err := dateFlag(flag, *v); err != nil {
				return err
			}
		}
	}
	if c.Number != nil && *c.Number < 0 {
		return usagef("--number: il numero dell'aggiornamento è 1 o più")
	}
	return nil
}

type planJSON struct {
	Schema     string                `json:"schema"`
	Audit      string                `json:"audit"`
	Ente       string                `json:"ente"`
	Plan       checklist.Plan        `json:"plan"`
	Edition    string                `json:"edition_label"`
	TermEnds   string                `json:"term_ends,omitempty"`
	TermRunOut bool                  `json:"term_run_out"`
	Baselines  []baselineJSON        `json:"transmissions"`
	Variations []checklist.Variation `json:"variations"`
}

type baselineJSON struct {
	Seq     int               `json:"seq"`
	Edition string            `json:"edition"`
	SentOn  string            `json:"sent_on"`
	Channel checklist.Channel `json:"channel,omitempty"`
	FixedAt time.Time         `json:"fixed_at"`
}

func newPlanJSON(snap *checklist.Snapshot, today string) planJSON {
	p := snap.Plan
	out := planJSON{Schema: "cieaudit.plan/v1", Audit: snap.Audit.ID, Ente: snap.Audit.Ente.Name, Plan: p, Edition: p.EditionLabel(),
		TermEnds: p.TermEnds(), TermRunOut: p.TermRunOut(today), Baselines: []baselineJSON{}, Variations: nonNil(checklist.Variations(snap))}
	for _, b := range snap.Baselines {
		out.Baselines = append(out.Baselines, baselineJSON{b.Seq, b.EditionLabel(), b.SentOn, b.Channel, b.FixedAt})
	}
	return out
}

func printPlan(w io.Writer, snap *checklist.Snapshot, today string) {
	p := snap.Plan
	fmt.Fprintf(w, "%s — piano di sicurezza (audit %s)\n", snap.Audit.Ente.Name, snap.Audit.ID)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", k, v)
		}
	}
	row("Edizione", orNone(p.EditionLabel()))
	row("Atto di adozione", p.AdoptedAct)
	row("Adottato il", checklist.ItalianDate(p.AdoptedOn))
	row("Protocollo", strings.TrimSpace(p.Protocol+" "+checklist.ItalianDate(p.ProtocolOn)))
	if p.Sent() {
		row("Trasmesso il", checklist.ItalianDate(p.SentOn)+" ("+p.Channel.Label()+")")
		row("Ricevuta", p.Receipt)
		outcome := p.Outcome.Label()
		if p.OutcomeOn != "" {
			outcome += " il " + checklist.ItalianDate(p.OutcomeOn)
		}
		row("Esito della Prefettura", outcome)
		row("Rilievi", p.OutcomeNote)
		term := checklist.ItalianDate(p.TermEnds())
		if p.TermRunOut(today) {
			term += " — SCADUTO senza esito: sollecitare la Prefettura"
		}
		row("Termine di 30 giorni", term)
	} else {
		row("Trasmissione", "non ancora registrata (cieaudit plan set AUDIT --sent-on DATA)")
	}
	tw.Flush()
	if len(snap.Baselines) > 0 {
		fmt.Fprintln(w, "\nTrasmissioni (piano come inviato):")
		for _, b := range snap.Baselines {
			fmt.Fprintf(w, "  %d. %s, trasmesso il %s (%s)\n", b.Seq, b.EditionLabel(), checklist.ItalianDate(b.SentOn), b.Channel.Label())
		}
	}
	vs := checklist.Variations(snap)
	fmt.Fprintf(w, "\nVariazioni dopo la trasmissione: %d\n", len(vs))
	for _, v := range vs {
		fmt.Fprintf(w, "  %s\n", v.Label())
	}
}

func orNone(s string) string {
	if s == "" {
		return "non indicata"
	}
	return s
}

func newOperatorCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "operator", Short: "Registro degli operatori e delle smart card operatore (SCO)"}
	var o checklist.Operator
	var role string
	add := &cobra.Command{
		Use:   "add AUDIT --name NOME --role ufficiale|delegato",
		Short: "Aggiunge un operatore al registro e ne stampa l'ID",
		Long: `Aggiunge un operatore al registro (circ. 4/2017: la SCO va agli ufficiali d'anagrafe
o ai loro delegati formali). Un delegato con SCO senza atto di delega è segnalato.`,
		Example: `  cieaudit operator add 1a2b3c4d --name "Marta Bianchi" --role delegato --act "decreto sindacale n. 3/2026" --sco 0042 --sco-delivered 2026-02-10 --postazione PG0991A01`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := checklist.ParseOperatorRole(role); err != nil {
				return usagef("--role: %v", err)
			}
			for flag, v := range map[string]string{"--sco-delivered": o.SCODelivered, "--trained-on": o.TrainedOn} {
				if err := dateFlag(flag, v); err != nil {
					return err
				}
			}
			o.Role = checklist.OperatorRole(role)
			s, err := a.open()
			if err != nil {
				return err
			}
			got, err := s.AddOperator(args[0], o, a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			for _, f := range got.Findings() {
				fmt.Fprintf(a.stderr, "Attenzione: %s.\n", f)
			}
			fmt.Fprintln(a.stdout, got.ID)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&o.Name, "name", "", "nome e cognome (obbligatorio)")
	f.StringVar(&role, "role", "", "ufficiale (d'anagrafe) o delegato (obbligatorio)")
	f.StringVar(&o.Act, "act", "", "atto di delega o di nomina")
	f.StringVar(&o.SCO, "sco", "", "numero di serie della SCO")
	f.StringVar(&o.SCODelivered, "sco-delivered", "", "data di consegna della SCO")
	f.StringVar(&o.Verbale, "verbale", "", "verbale di consegna della SCO")
	f.StringVar(&o.TrainedOn, "trained-on", "", "data della formazione")
	f.StringArrayVar(&o.Postazioni, "postazione", nil, "codice di una postazione usata (ripetibile)")
	add.MarkFlagRequired("name")
	add.MarkFlagRequired("role")
	cmd.AddCommand(add)

	cmd.AddCommand(newRecordListCmd(a, "Elenca gli operatori, con i rilievi", "operator-list",
		func(snap *checklist.Snapshot) any {
			rows := []operatorJSON{}
			for _, o := range snap.Operators {
				rows = append(rows, operatorJSON{o, nonNil(o.Findings())})
			}
			return struct {
				Audit     string         `json:"audit"`
				Operators []operatorJSON `json:"operators"`
			}{snap.Audit.ID, rows}
		},
		func(w io.Writer, snap *checklist.Snapshot) error {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNOME\tRUOLO\tATTO\tSCO\tCONSEGNA\tPOSTAZIONI\tREVOCA\tRILIEVI")
			for _, o := range snap.Operators {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Role.Label(), dash(o.Act), dash(o.SCO),
					dash(checklist.ItalianDate(o.SCODelivered)), dash(strings.Join(o.Postazioni, ",")), dash(checklist.ItalianDate(o.RevokedOn)), dash(strings.Join(o.Findings(), "; ")))
			}
			return tw.Flush()
		}))

	var on string
	revoke := &cobra.Command{
		Use:   "revoke AUDIT ID --on DATA",
		Short: "Registra la revoca di un operatore e della sua SCO",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := dateFlag("--on", on); err != nil {
				return err
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			o, err := s.RevokeOperator(args[0], args[1], on, a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			fmt.Fprintf(a.stdout, "Operatore %s (%s) revocato il %s.\n", o.ID, o.Name, checklist.ItalianDate(o.RevokedOn))
			return nil
		},
	}
	revoke.Flags().StringVar(&on, "on", "", "data della revoca (obbligatoria)")
	revoke.MarkFlagRequired("on")
	cmd.AddCommand(revoke)
	return cmd
}

type operatorJSON struct {
	checklist.Operator
	Findings []string `json:"findings"`
}

func newEventCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "event", Short: "Registro degli eventi di sicurezza"}
	var e checklist.SecurityEvent
	var scope, areas, notified string
	add := &cobra.Command{
		Use:   "add AUDIT --at DATA[THH:MM] --scope AMBITO --description TESTO",
		Short: "Registra un evento di sicurezza e ne stampa l'ID",
		Long: `Registra un evento di sicurezza. AMBITO è ente, sede:NOME o postazione:CODICE.
--areas: riservatezza, integrita, disponibilita (separate da virgole).
--notified: prefettura, helpdesk, forze-ordine, garante, ciascuno con @DATA[THH:MM]
facoltativa (altrimenti la data dell'evento). Per un evento che tocca la riservatezza
si ricorda la notifica al Garante entro 72 ore (art. 33 GDPR) se è una violazione di
dati personali.`,
		Example: `  cieaudit event add 1a2b3c4d --at 2026-11-03T10:30 --scope postazione:PG0991A01 --description "SCO smarrita" --areas riservatezza --notified prefettura,helpdesk@2026-11-03T11:00`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			at, err := checklist.ParseMoment("--at", e.At, "")
			if err != nil {
				return usageError{err}
			}
			if e.Scope, err = checklist.ParseScope(scope); err != nil {
				return usagef("--scope: %v", err)
			}
			if e.Areas, err = checklist.ParseAreas(areas); err != nil {
				return usageError{err}
			}
			if e.Notified, err = checklist.ParseNotices(notified, at, ""); err != nil {
				return usageError{err}
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			got, err := s.AddEvent(args[0], e, a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			if note := got.GDPRNote(); note != "" {
				fmt.Fprintln(a.stderr, note)
			}
			fmt.Fprintln(a.stdout, got.ID)
			return nil
		},
	}
	f := add.Flags()
	f.StringVar(&e.At, "at", "", "data e ora dell'evento: AAAA-MM-GG[THH:MM] (obbligatoria)")
	f.StringVar(&scope, "scope", "ente", "ambito: ente, sede:NOME o postazione:CODICE")
	f.StringVar(&e.Description, "description", "", "descrizione (obbligatoria)")
	f.StringVar(&e.Threat, "threat", "", "ID della minaccia del catalogo")
	f.StringVar(&areas, "areas", "", "aree colpite: riservatezza, integrita, disponibilita")
	f.StringVar(&e.Actions, "actions", "", "azioni intraprese")
	f.StringVar(&notified, "notified", "", "chi è stato avvisato: prefettura,helpdesk,forze-ordine,garante[@DATA]")
	add.MarkFlagRequired("at")
	add.MarkFlagRequired("description")
	cmd.AddCommand(add)

	cmd.AddCommand(newRecordListCmd(a, "Elenca gli eventi di sicurezza", "event-list",
		func(snap *checklist.Snapshot) any {
			rows := []eventJSON{}
			for _, e := range snap.Events {
				rows = append(rows, eventJSON{e, e.GDPRDeadline(), e.GDPRNote()})
			}
			return struct {
				Audit  string      `json:"audit"`
				Events []eventJSON `json:"events"`
			}{snap.Audit.ID, rows}
		},
		func(w io.Writer, snap *checklist.Snapshot) error {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tDATA\tAMBITO\tSTATO\tAREE\tNOTIFICATO A\tDESCRIZIONE")
			for _, e := range snap.Events {
				status := string(e.Status)
				if e.ClosedOn != "" {
					status += " " + checklist.ItalianDate(e.ClosedOn)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, checklist.ItalianDate(e.At), e.Scope, status, dash(e.AreasLabel()), dash(e.NoticesLabel()),
					strings.ReplaceAll(e.Description, "\n", " "))
			}
			return tw.Flush()
		}))

	var on, note string
	closeCmd := &cobra.Command{
		Use:   "close AUDIT ID --on DATA",
		Short: "Chiude un evento di sicurezza",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := dateFlag("--on", on); err != nil {
				return err
			}
			s, err := a.open()
			if err != nil {
				return err
			}
			e, err := s.CloseEvent(args[0], args[1], on, note, a.author())
			if err != nil {
				return auditErr(args[0], err)
			}
			fmt.Fprintf(a.stdout, "Evento %s chiuso il %s.\n", e.ID, checklist.ItalianDate(e.ClosedOn))
			return nil
		},
	}
	closeCmd.Flags().StringVar(&on, "on", "", "data della chiusura (obbligatoria)")
	closeCmd.Flags().StringVar(&note, "note", "", "nota di chiusura")
	closeCmd.MarkFlagRequired("on")
	cmd.AddCommand(closeCmd)
	return cmd
}

type eventJSON struct {
	checklist.SecurityEvent
	GDPRDeadline string `json:"gdpr_deadline,omitempty"`
	GDPRNote     string `json:"gdpr_note,omitempty"`
}

// newCycleDocCmd is sheet or declaration.
func newCycleDocCmd(a *app, kind export.CycleDoc) *cobra.Command {
	var quarter, out, date string
	var force bool
	use, short := "sheet", "Scheda trimestrale di attuazione e monitoraggio (PDF con SHA256SUMS)"
	if kind == export.DocDeclaration {
		use, short = "declaration", "Dichiarazione del Sindaco che il piano non è cambiato nel trimestre (PDF con SHA256SUMS)"
	}
	cmd := &cobra.Command{
		Use:   use + " AUDIT --quarter AAAAQn --out DIR|-",
		Short: short,
		Long: short + `.

Scrive nella cartella DIR (che non deve esistere o deve essere vuota; --force la
sostituisce) il PDF e SHA256SUMS; con --out - scrive un archivio zip sullo standard
output (per ssh … > file.zip). --date è la data del documento (predefinita: oggi).
La dichiarazione è rifiutata (uscita 1), con ogni motivo, se non c'è un'edizione
trasmessa o se nel trimestre ci sono eventi di sicurezza o variazioni: in quel caso
va inviata la scheda.`,
		Example: "  cieaudit " + use + " 1a2b3c4d --quarter 2026Q4 --out " + string(kind) + "-2026Q4\n  ssh jump-host " + use + " 1a2b3c4d --quarter 2026Q4 --out - > " + string(kind) + ".zip",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := checklist.ParseQuarter(quarter)
			if err != nil {
				return usageError{err}
			}
			if strings.TrimSpace(out) == "" {
				return usagef("--out: indicare la cartella di destinazione, o - per lo standard output")
			}
			day := a.today()
			if date != "" {
				if day, err = checklist.NormaliseDate("data del documento", date); err != nil {
					return usagef("--date: %v", err)
				}
			}
			if a.remote && out != "-" {
				return usagef("--out: via SSH si scrive solo sullo standard output (--out -)")
			}
			if out != "-" {
				if err := checkOutDir("--out", out); err != nil {
					return usageError{err}
				}
			}
			snap, err := a.loadAudit(args[0])
			if err != nil {
				return err
			}
			paths, err := export.WriteCycleDoc(kind, snap, q, day, out, a.stdout, export.Options{Force: force})
			if err != nil {
				return err
			}
			printPaths(a.stdout, paths)
			s, err := a.open()
			if err != nil {
				return err
			}
			what := fmt.Sprintf("%s %s prodotta (%s)", map[export.CycleDoc]string{export.DocSheet: "scheda trimestrale", export.DocDeclaration: "dichiarazione del Sindaco"}[kind], q, checklist.ItalianDate(day))
			if err := s.RecordDocument(snap.Audit.ID, string(kind), q, what, a.author()); err != nil && !errors.Is(err, storage.ErrReadOnly) {
				return fmt.Errorf("documento scritto, ma non registrato nello storico: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&quarter, "quarter", "", "trimestre, es. 2026Q4 (obbligatorio)")
	f.StringVarP(&out, "out", "o", "", "cartella di destinazione, o - per un zip sullo standard output (obbligatorio)")
	f.StringVar(&date, "date", "", "data del documento (predefinita: oggi)")
	f.BoolVar(&force, "force", false, "sostituisce una cartella esistente e non vuota")
	cmd.MarkFlagRequired("quarter")
	cmd.MarkFlagRequired("out")
	return cmd
}

func newDeadlinesCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "deadlines [AUDIT]",
		Short: "Scadenze: scheda o dichiarazione del trimestre, esito della Prefettura, aggiornamento del piano, azioni",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			today := a.today()
			var all []checklist.Deadline
			if len(args) == 1 {
				snap, err := a.loadAudit(args[0])
				if err != nil {
					return err
				}
				all = checklist.Deadlines(snap, today)
			} else {
				s, err := a.open()
				if err != nil {
					return err
				}
				if err := s.EachAudit(func(snap *checklist.Snapshot) error {
					all = append(all, checklist.Deadlines(snap, today)...)
					return nil
				}); err != nil {
					return err
				}
				checklist.SortDeadlines(all)
			}
			if asJSON {
				return writeJSON(a.stdout, struct {
					Schema    string               `json:"schema"`
					Today     string               `json:"today"`
					Deadlines []checklist.Deadline `json:"deadlines"`
				}{"cieaudit.deadlines/v1", today, nonNil(all)})
			}
			if len(all) == 0 {
				fmt.Fprintln(a.stdout, "Nessuna scadenza.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SCADENZA\tAUDIT\tENTE\tCOSA")
			for _, d := range all {
				due := dash(checklist.ItalianDate(d.Due))
				if d.Overdue {
					due += " SCADUTA"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", due, d.Audit, d.Ente, d.What)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "stampa in JSON (schema cieaudit.deadlines/v1)")
	return cmd
}
