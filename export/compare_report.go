package export

import (
	"fmt"
	"strconv"

	"github.com/cieaudit/cieaudit/checklist"
)

// comparisonView is the report's "Confronto con l'audit precedente"
// (5.4), present when the audit was carried from a predecessor and
// exported with its chain (storage.LoadChain).
type comparisonView struct {
	Previous   string // "audit ab12cd34 del 2025"
	ToReverify int
	// ReverifyNote is reverifyNote(ToReverify), for the HTML.
	ReverifyNote string
	Counts       string
	Improved     []diffRow
	Worsened     []diffRow
	Open         []openRow
	Perimeter    []string
	// Years and Categories make the table (and, with Chart, the chart) of
	// compliance per category over the years, oldest first.
	Years      []int
	Categories []yearSeries
	Chart      bool
}

type diffRow struct{ Scope, ItemID, Title, Old, New string }

type openRow struct{ ItemID, Title, Outcome, Owner, Due, Status string }

// yearSeries is one category's compliance, one value per year.
type yearSeries struct {
	Label   string
	Percent []string
	Value   []float64 // -1 when not assessed
}

func buildComparison(snap *checklist.Snapshot) *comparisonView {
	c, err := checklist.Compare(snap)
	if err != nil || c == nil {
		return nil
	}
	v := &comparisonView{
		Previous:   fmt.Sprintf("audit %s del %d", c.Diff.Old.ID, c.Diff.Old.Year),
		ToReverify: c.ToReverify, ReverifyNote: reverifyNote(c.ToReverify), Counts: c.Diff.CountsLine(), Chart: c.Chart(),
	}
	rows := func(items []checklist.ItemDiff) []diffRow {
		out := make([]diffRow, len(items))
		for i, it := range items {
			out[i] = diffRow{it.Scope.Label(), it.Item, it.Title, it.OldLabel, it.NewLabel}
		}
		return out
	}
	v.Improved, v.Worsened = rows(c.Improved), rows(c.Worsened)
	for _, a := range c.OpenActions {
		p := snap.Actions[a.Item.ID]
		if p.Item == "" && len(snap.Previous) > 0 {
			p = snap.Previous[0].Actions[a.Item.ID]
		}
		v.Open = append(v.Open, openRow{a.Item.ID, a.Item.Title(), a.Outcome.Label(), orDash(p.Owner), calendarDate(p.Due), p.Status.Label()})
	}
	for _, f := range c.Diff.Perimeter {
		switch {
		case f.Old == "":
			v.Perimeter = append(v.Perimeter, "aggiunta "+f.What+" ("+f.New+")")
		case f.New == "":
			v.Perimeter = append(v.Perimeter, "rimossa "+f.What)
		default:
			v.Perimeter = append(v.Perimeter, f.What+": «"+f.Old+"» → «"+f.New+"»")
		}
	}
	for _, f := range c.Diff.Operators {
		v.Perimeter = append(v.Perimeter, f.What+": «"+orDash(f.Old)+"» → «"+orDash(f.New)+"»")
	}
	for _, y := range c.Years {
		v.Years = append(v.Years, y.Year)
	}
	series := func(label string, pick func(y checklist.YearCompliance) checklist.Compliance) yearSeries {
		s := yearSeries{Label: label}
		for _, y := range c.Years {
			row := complianceView(pick(y))
			s.Percent = append(s.Percent, row.Percent)
			val := -1.0
			if row.HasPercent {
				val = row.PercentValue
			}
			s.Value = append(s.Value, val)
		}
		return s
	}
	for i, cat := range checklist.Categories {
		v.Categories = append(v.Categories, series(cat.Label(), func(y checklist.YearCompliance) checklist.Compliance { return y.ByCategory[i] }))
	}
	v.Categories = append(v.Categories, series("Complessiva", func(y checklist.YearCompliance) checklist.Compliance { return y.Total }))
	return v
}

// yearHeader is the header row of the years table.
func (v *comparisonView) yearHeader() []string {
	out := []string{"Categoria"}
	for _, y := range v.Years {
		out = append(out, strconv.Itoa(y))
	}
	return out
}

// comparison is 5.4 of the PDF: the comparison with the previous audit
// and, along a chain of three or more years, a chart of the compliance per
// category over the years.
func (d *pdfDoc) comparison() {
	v := d.rep.Comparison
	if v == nil {
		return
	}
	d.heading(1, "5.4 Confronto con l'audit precedente", 30)
	text := "Rispetto all'" + v.Previous + ": " + v.Counts + "."
	if n := reverifyNote(v.ToReverify); n != "" {
		text += " " + n
	}
	d.paragraph(text)
	head := v.yearHeader()
	cols := []column{{head[0], 0.3, "L"}}
	for _, h := range head[1:] {
		cols = append(cols, column{h, 0.7 / float64(len(head)-1), "R"})
	}
	var rows [][]cell
	for _, s := range v.Categories {
		row := []cell{{text: s.Label, bold: true}}
		for _, p := range s.Percent {
			row = append(row, plain(p))
		}
		rows = append(rows, row)
	}
	d.table(cols, rows)
	if v.Chart {
		d.yearChart(v)
	}
	diffCols := []column{{"Ambito", 0.2, "L"}, {"ID", 0.1, "L"}, {"Misura", 0.36, "L"}, {"Prima", 0.17, "L"}, {"Ora", 0.17, "L"}}
	for _, part := range []struct {
		title, none string
		rows        []diffRow
	}{{"Migliorate", "Nessuna misura migliorata.", v.Improved}, {"Peggiorate", "Nessuna misura peggiorata.", v.Worsened}} {
		d.heading(2, part.title, 14)
		if len(part.rows) == 0 {
			d.paragraph(part.none)
			continue
		}
		var rs [][]cell
		for _, r := range part.rows {
			rs = append(rs, []cell{plain(r.Scope), {text: r.ItemID, bold: true}, plain(r.Title), plain(r.Old), plain(r.New)})
		}
		d.table(diffCols, rs)
	}
	d.heading(2, "Ancora aperte dalle azioni dell'anno precedente", 14)
	if len(v.Open) == 0 {
		d.paragraph("Nessuna azione dell'anno precedente rimasta aperta.")
	} else {
		var rs [][]cell
		for _, o := range v.Open {
			rs = append(rs, []cell{{text: o.ItemID, bold: true}, plain(o.Title), plain(o.Outcome), plain(o.Owner), plain(o.Due), plain(o.Status)})
		}
		d.table([]column{{"ID", 0.1, "L"}, {"Misura", 0.36, "L"}, {"Esito", 0.12, "L"}, {"Responsabile", 0.16, "L"}, {"Scadenza", 0.12, "L"}, {"Stato", 0.14, "L"}}, rs)
	}
	if len(v.Perimeter) > 0 {
		d.heading(2, "Perimetro, inventario e operatori", 14)
		for _, p := range v.Perimeter {
			d.paragraph("• " + p)
		}
	}
}

// yearChart draws grouped vertical bars: for each category, one bar per
// year (darker for later years), the percentage above each bar.
func (d *pdfDoc) yearChart(v *comparisonView) {
	const chartH, labelH, legendH = 50.0, 10.0, 8.0
	d.heading(2, "Conformità per categoria negli anni", chartH+labelH+legendH+8)
	x0, y0 := marginLeft, d.GetY()+4
	base := y0 + chartH
	groupW := contentWidth / float64(len(v.Categories))
	n := len(v.Years)
	barW := min((groupW-8)/float64(n), 14)
	shade := func(i int) rgb {
		// From a light to the heading blue, oldest to newest.
		t := float64(i+1) / float64(n)
		mix := func(a, b int) int { return a + int(float64(b-a)*t) }
		return rgb{mix(200, colourHead.r), mix(214, colourHead.g), mix(230, colourHead.b)}
	}
	d.draw(colourRule)
	for _, p := range []float64{0, 50, 100} {
		y := base - chartH*p/100
		d.Line(x0, y, x0+contentWidth, y)
		d.font(false, 6.5)
		d.colour(colourMuted)
		d.SetXY(x0-10, y-2)
		d.CellFormat(9, 4, strconv.Itoa(int(p))+"%", "", 0, "R", false, 0, "")
	}
	for g, s := range v.Categories {
		gx := x0 + float64(g)*groupW + (groupW-barW*float64(n))/2
		for i, val := range s.Value {
			bx := gx + float64(i)*barW
			if val >= 0 {
				h := chartH * val / 100
				d.fill(shade(i))
				d.Rect(bx+0.5, base-h, barW-1, h, "F")
			}
			d.font(false, 6)
			d.colour(colourInk)
			top := base - chartH*max(val, 0)/100
			d.SetXY(bx, top-4)
			d.CellFormat(barW, 4, pdfText(s.Percent[i]), "", 0, "C", false, 0, "")
		}
		d.font(true, 8)
		d.colour(colourInk)
		d.SetXY(x0+float64(g)*groupW, base+1)
		d.CellFormat(groupW, 5, pdfText(s.Label), "", 0, "C", false, 0, "")
	}
	ly := base + labelH
	lx := x0
	d.font(false, 7.5)
	for i, y := range v.Years {
		d.fill(shade(i))
		d.Rect(lx, ly+1, 4, 3, "F")
		d.SetXY(lx+5, ly)
		d.CellFormat(18, 5, strconv.Itoa(y), "", 0, "L", false, 0, "")
		lx += 24
	}
	d.SetY(ly + legendH)
}
