// Package export renders an audit snapshot as the report bundle handed to the
// ente and the Prefettura: the security plan as PDF and HTML, the tables as
// CSV and XLSX, a lossless JSON document and a SHA256SUMS manifest.
//
// Every renderer works from a *checklist.Snapshot and its
// *checklist.Assessment, never from storage, and is deterministic: the same
// snapshot always gives byte-identical files, because the only time written
// is the snapshot's LastChange.
//
// Text that ends up in a CSV cell goes through SafeCell and is quoted for
// both separators, so that answers and notes cannot smuggle formulas into
// Excel or LibreOffice whatever separator the reader picks; XLSX cells are
// typed strings, never formulas.
package export
