/*
 * page_import.c — the upload page for importing participations from a
 * spreadsheet saved as CSV.  Same rules as `finsam import participations`:
 * every row is written, or none, and every problem is listed by line and
 * column.
 */
#include <stdio.h>
#include <string.h>

#include "../core/import.h"
#include "../util/html.h"
#include "../util/plural.h"
#include "entity.h"
#include "pages.h"

static void import_page(struct req *r, const struct import_result *res, enum rc rc)
{
	struct buf *b = &r->out;
	page_begin(r, "Importera deltagare");
	html_printf(b, "<h1>Importera deltagare</h1>");
	if (res && rc == RC_OK) {
		char rows[PLURAL_MAX], starts[PLURAL_MAX], ends[PLURAL_MAX];
		html_printf(
		    b,
		    "<div class=\"notice\" role=\"status\"><p>Importerade %s (%s, %s).</p></div>",
		    sv_count(rows, sizeof rows, (long long)res->rows, "deltagande", "deltaganden"),
		    sv_count(starts, sizeof starts, (long long)res->starts, "start", "starter"),
		    sv_count(ends, sizeof ends, (long long)res->ends, "avslut", "avslut"));
	}
	if (res && rc == RC_INVALID) {
		html_printf(
		    b, "<div class=\"error-summary\" role=\"alert\"><h2>Inget importerades</h2>"
		       "<p>Rätta följande i filen och ladda upp den igen.</p></div>"
		       "<table class=\"wide\"><caption>Fel i filen</caption><thead><tr>"
		       "<th scope=\"col\">Rad</th><th scope=\"col\">Kolumn</th>"
		       "<th scope=\"col\">Fel</th></tr></thead><tbody>");
		for (size_t i = 0; i < res->nerrors; i++) {
			const struct import_error *e = &res->errors[i];
			if (e->line)
				html_printf(b, "<tr><td data-label=\"Rad\">%zu</td>", e->line);
			else
				html_printf(b, "<tr><td data-label=\"Rad\">–</td>");
			html_printf(
			    b,
			    "<td data-label=\"Kolumn\">%s</td><td data-label=\"Fel\">%s</td></tr>",
			    e->column ? e->column : "–", e->message);
		}
		html_printf(b, "</tbody></table>");
		if (res->errors_total > res->nerrors) {
			char all[PLURAL_MAX], shown[PLURAL_MAX];
			html_printf(b,
			            "<p>Filen har %s fel. De första %s visas; rätta dem och ladda "
			            "upp filen igen för att se resten.</p>",
			            sv_number(all, sizeof all, (long long)res->errors_total),
			            sv_number(shown, sizeof shown, (long long)res->nerrors));
		}
	}
	html_printf(
	    b,
	    "<p>Spara kalkylarket som CSV (semikolon- eller kommaseparerat, UTF-8 eller "
	    "Windows-1252). Första raden ska ange kolumnerna. Varje rad blir en anmälan, och "
	    "en start och ett avslut när de datumen är ifyllda. Personnummer och namn får "
	    "bara finnas med samtycke.</p>"
	    "<p>Här kan du ladda upp en fil på högst 1 MiB, ungefär 10 000 rader. En större "
	    "fil, till exempel hela förbundets historik, delar du upp, eller så läser "
	    "administratören in den på servern med <code>finsam import participations</code>, "
	    "som klarar miljontals rader.</p>"
	    "<form method=\"post\" action=\"/import\" enctype=\"multipart/form-data\" "
	    "class=\"edit\" novalidate><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<div class=\"field\"><label for=\"f-file\">Fil (CSV, högst 1 MiB) <span "
	    "class=\"req\">(måste fyllas i)</span></label>"
	    "<input type=\"file\" id=\"f-file\" name=\"file\" accept=\".csv,text/csv\" "
	    "required aria-required=\"true\"></div><div class=\"actions\"><button "
	    "type=\"submit\">Importera</button></div></form>",
	    r->who.csrf);
	html_printf(b,
	            "<h2>Kolumner</h2><table class=\"wide\"><caption>Kolumner som känns igen"
	            "</caption><thead><tr><th scope=\"col\">Rubrik</th><th scope=\"col\">Innehåll"
	            "</th></tr></thead><tbody>");
	for (const struct import_column *c = import_columns; c->field; c++) {
		char names[200];
		size_t j = 0;
		for (const char *p = c->names; *p && j + 3 < sizeof names; p++) {
			if (*p == '|') {
				names[j++] = ',';
				names[j++] = ' ';
			} else {
				names[j++] = *p;
			}
		}
		names[j] = '\0';
		html_printf(
		    b,
		    "<tr><td data-label=\"Rubrik\">%s</td><td data-label=\"Innehåll\">%s</td></tr>",
		    names, c->description);
	}
	html_printf(b, "</tbody></table><p>Insats, Anmäld och Anmäld av måste finnas.</p>");
	page_end(r);
}

void page_import(struct req *r)
{
	import_page(r, NULL, RC_OK);
}

void page_import_post(struct req *r)
{
	if (r->upload_cut) {
		/* All or nothing: a file that did not arrive whole is not read. */
		struct import_result none = {0};
		struct import_error e = {
		    0, NULL,
		    "Filen kom inte fram hel: överföringen avbröts innan den var klar, så "
		    "ingenting har importerats. Välj filen och ladda upp den igen."};
		none.errors = &e;
		none.nerrors = 1;
		r->status = 400;
		import_page(r, &none, RC_INVALID);
		return;
	}
	if (!r->upload || r->upload_len == 0) {
		struct import_result none = {0};
		struct import_error e = {0, NULL, "Välj en fil att importera."};
		none.errors = &e;
		none.nerrors = none.errors_total = 1;
		r->status = 422;
		import_page(r, &none, RC_INVALID);
		return;
	}
	int64_t assoc = entity_association(r);
	if (!assoc)
		return;
	struct import_result res;
	enum rc rc = import_participations(r->db, r->vault, &r->actor, assoc, r->upload_name,
	                                   r->upload, r->upload_len, r->arena, &res);
	if (rc == RC_NOMEM) {
		/* Said as what it is, not as an error in the file. */
		struct import_error e = {0, NULL,
		                         "Servern fick slut på minne under importen. Inget "
		                         "importerades. Försök igen med en mindre fil."};
		struct import_result oom = {0};
		oom.errors = &e;
		oom.nerrors = oom.errors_total = 1;
		r->status = 503;
		import_page(r, &oom, RC_INVALID);
		return;
	}
	if (rc != RC_OK && rc != RC_INVALID) {
		respond_rc(r, rc);
		return;
	}
	if (rc == RC_INVALID)
		r->status = 422;
	import_page(r, &res, rc);
}
