/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * render.c -- a report as CSV and as one self-contained HTML page with
 * inline SVG charts (see account.h).  The page has no script and no
 * external asset, so a member can send it as it is.
 */
#include "account.h"

#include "lz_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSV ---- */

/* Writes S as a CSV field (quoted when it holds a comma, quote or
 * newline). */
static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
csv_row(FILE *f, const char *section, const char *key, int64_t v,
	const char *unit)
{
	csv_field(f, section);
	fputc(',', f);
	csv_field(f, key);
	fprintf(f, ",%" PRId64 ",%s\n", v, unit);
}

static void
csv_text(FILE *f, const char *key, const char *text)
{
	fputs("report,", f);
	csv_field(f, key);
	fputc(',', f);
	csv_field(f, text);
	fputs(",\n", f);
}

/* A text built in memory (open_memstream); out of memory aborts. */
struct text {
	char *buf;
	size_t len;
};

static FILE *
text_open(struct text *t)
{
	FILE *f;

	t->buf = NULL;
	t->len = 0;
	if ((f = open_memstream(&t->buf, &t->len)) == NULL)
		abort();
	return f;
}

/* Closes F and returns the text (the caller frees it). */
static char *
text_close(struct text *t, FILE *f)
{
	if (fclose(f) != 0)
		abort();
	return t->buf;
}

char *
impact_report_csv(const Report *r)
{
	const Lz__Impact__V1__Factors *fa = r->factors;
	struct text t;
	FILE *f = text_open(&t);

	fputs("section,key,value,unit\n", f);
	csv_text(f, "from", r->from);
	csv_text(f, "to", r->to);
	csv_text(f, "member", r->member_id[0] ? r->member_id : "all");
	csv_text(f, "method",
		 r->method == CF_DIRECT_TRIPS ? "direct_trips" : "own_rounds");
	if (fa) {
		csv_row(f, "factor", "diesel", fa->diesel_g_per_l, "gCO2e/l");
		csv_row(f, "factor", "petrol", fa->petrol_g_per_l, "gCO2e/l");
		csv_row(f, "factor", "cng", fa->cng_g_per_kg, "gCO2e/kg");
		csv_row(f, "factor", "electricity", fa->electricity_g_per_kwh,
			"gCO2e/kWh");
		csv_row(f, "factor", "counterfactual_van",
			fa->counterfactual_van_ml_per_100km, "ml/100km");
	}
	csv_row(f, "total", "actual_distance", r->actual_m, "m");
	csv_row(f, "total", "actual_co2e", r->actual_co2e_g, "g");
	csv_row(f, "total", "counterfactual_distance", r->counterfactual_m,
		"m");
	csv_row(f, "total", "counterfactual_co2e", r->counterfactual_co2e_g,
		"g");
	csv_row(f, "total", "counterfactual_rounds", r->counterfactual_rounds,
		"rounds");
	csv_row(f, "total", "counterfactual_orders", r->counterfactual_orders,
		"orders");
	csv_row(f, "total", "counterfactual_unplaced",
		r->counterfactual_unplaced, "orders");
	csv_row(f, "total", "avoided_distance", r->avoided_m, "m");
	csv_row(f, "total", "avoided_co2e", r->avoided_co2e_g, "g");
	csv_row(f, "total", "avoided_share", r->avoided_permille, "permille");
	csv_row(f, "total", "empty_running", r->empty_m, "m");
	csv_row(f, "total", "legs", r->legs_m, "m");
	csv_row(f, "total", "empty_share", r->empty_permille, "permille");
	csv_row(f, "total", "deliveries", r->deliveries, "orders");
	csv_row(f, "total", "bike_deliveries", r->bike_deliveries, "orders");
	csv_row(f, "total", "bike_share", r->bike_permille, "permille");
	csv_row(f, "total", "food_diverted", r->food_diverted_g, "g");
	csv_row(f, "total", "containers_reused", r->containers_reused,
		"containers");
	csv_row(f, "total", "reused_deposit", r->reused_deposit_cents, "cents");
	csv_row(f, "total", "driver_time", r->driver_s, "s");
	csv_row(f, "total", "rider_time", r->rider_s, "s");
	csv_row(f, "total", "work_integration_deliveries",
		r->work_integration_deliveries, "orders");
	for (size_t i = 0; i < r->n_kinds; i++) {
		const Lz__Impact__V1__KindFigures *k = r->kinds[i];
		const char *n = impact_kind_name(k->kind);

		csv_row(f, "trips", n, k->trips, "trips");
		csv_row(f, "distance", n, k->distance_m, "m");
		csv_row(f, "distance_odometer", n, k->odometer_m, "m");
		csv_row(f, "distance_planned", n, k->planned_m, "m");
		csv_row(f, "fuel", n, k->fuel_ml, "ml");
		csv_row(f, "energy", n, k->energy_wh, "Wh");
		csv_row(f, "co2e", n, k->co2e_g, "g");
		csv_row(f, "unfactored_distance", n, k->unfactored_m, "m");
	}
	for (size_t i = 0; i < r->n_fill; i++) {
		const char *n =
			impact_class_name(r->fill[i]->temperature_class);

		csv_row(f, "carried", n, r->fill[i]->carried_kgkm, "kg.km");
		csv_row(f, "capacity", n, r->fill[i]->capacity_kgkm, "kg.km");
		csv_row(f, "fill", n, r->fill[i]->fill_permille, "permille");
	}
	for (size_t i = 0; i < r->n_food; i++) {
		const char *n = impact_level_name(r->food[i]->level);

		csv_row(f, "food_flows", n, r->food[i]->flows, "flows");
		csv_row(f, "food", n, r->food[i]->grams, "g");
	}
	for (size_t i = 0; i < r->n_containers; i++) {
		const Lz__Impact__V1__ContainerFigures *c = r->containers[i];

		csv_row(f, "containers_returned", c->container_type,
			c->returned, "containers");
		csv_row(f, "containers_reused", c->container_type, c->reused,
			"containers");
		csv_row(f, "deposit_reused", c->container_type,
			c->reused_deposit_cents, "cents");
	}
	for (size_t i = 0; i < r->n_days; i++) {
		const Lz__Impact__V1__DayFigures *d = r->days[i];

		csv_row(f, "day_actual_distance", d->date, d->actual_m, "m");
		csv_row(f, "day_actual_co2e", d->date, d->actual_co2e_g, "g");
		csv_row(f, "day_counterfactual_distance", d->date,
			d->counterfactual_m, "m");
		csv_row(f, "day_counterfactual_co2e", d->date,
			d->counterfactual_co2e_g, "g");
		csv_row(f, "day_deliveries", d->date, d->deliveries, "orders");
		csv_row(f, "day_bike_deliveries", d->date, d->bike_deliveries,
			"orders");
	}
	return text_close(&t, f);
}

/* ---- HTML ---- */

static void
html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* One bar of a horizontal bar chart. */
struct bar {
	const char *label;
	double value;
	const char *text; /* printed after the bar */
	const char *colour;
};

/* A horizontal bar chart titled TITLE with id ID. */
static void
hbar_chart(FILE *f, const char *id, const char *title, const struct bar *b,
	   size_t n)
{
	double max = 0;
	int h = 30 + (int)n * 34;

	for (size_t i = 0; i < n; i++)
		if (b[i].value > max)
			max = b[i].value;
	fprintf(f,
		"<figure><figcaption>%s</figcaption>\n"
		"<svg class=\"chart\" id=\"%s\" xmlns=\"http://www.w3.org/2000/"
		"svg\" width=\"640\" height=\"%d\" viewBox=\"0 0 640 %d\" "
		"role=\"img\">\n",
		title, id, h, h);
	for (size_t i = 0; i < n; i++) {
		double w = max > 0 ? 380.0 * b[i].value / max : 0;
		int y = 15 + (int)i * 34;

		fprintf(f, "<text x=\"0\" y=\"%d\" font-size=\"13\">", y + 17);
		html_text(f, b[i].label);
		fprintf(f,
			"</text><rect x=\"150\" y=\"%d\" width=\"%.1f\" "
			"height=\"24\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\" "
			"font-size=\"13\">",
			y, w, b[i].colour, 156 + w, y + 17);
		html_text(f, b[i].text);
		fputs("</text>\n", f);
	}
	if (n == 0)
		fputs("<text x=\"0\" y=\"20\" font-size=\"13\">nothing in this "
		      "period</text>\n",
		      f);
	fputs("</svg></figure>\n", f);
}

/* Daily actual and counterfactual km as paired columns. */
static void
days_chart(FILE *f, const Report *r)
{
	double max = 0, step;
	size_t n = r->n_days;

	for (size_t i = 0; i < n; i++) {
		if (r->days[i]->actual_m > max)
			max = (double)r->days[i]->actual_m;
		if (r->days[i]->counterfactual_m > max)
			max = (double)r->days[i]->counterfactual_m;
	}
	step = n > 0 ? 600.0 / (double)n : 600;
	fputs("<figure><figcaption>km per day: pooled (green) and each "
	      "member on its own (grey)</figcaption>\n"
	      "<svg class=\"chart\" id=\"days\" xmlns=\"http://www.w3.org/2000/"
	      "svg\" width=\"640\" height=\"240\" viewBox=\"0 0 640 240\" "
	      "role=\"img\">\n"
	      "<line x1=\"20\" y1=\"210\" x2=\"630\" y2=\"210\" "
	      "stroke=\"#555\"/>\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		const Lz__Impact__V1__DayFigures *d = r->days[i];
		double x = 25 + step * (double)i,
		       w = step * 0.4 < 40 ? step * 0.4 : 40;
		double ha = max > 0 ? 190.0 * (double)d->actual_m / max : 0;
		double hc =
			max > 0 ? 190.0 * (double)d->counterfactual_m / max : 0;

		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"#2e8b57\"><title>%s: %.1f "
			"km</title></rect>\n",
			x, 210 - ha, w, ha, d->date, d->actual_m / 1000.0);
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"#999999\"><title>%s: %.1f "
			"km</title></rect>\n",
			x + w, 210 - hc, w, hc, d->date,
			d->counterfactual_m / 1000.0);
		if (n <= 16 || i % (n / 8 + 1) == 0)
			fprintf(f,
				"<text x=\"%.1f\" y=\"228\" "
				"font-size=\"10\">%s</text>\n",
				x, d->date + 5);
	}
	fputs("</svg></figure>\n", f);
}

static void
figure_row(FILE *f, const char *label, const char *value)
{
	fputs("<tr><th>", f);
	html_text(f, label);
	fputs("</th><td>", f);
	html_text(f, value);
	fputs("</td></tr>\n", f);
}

#define GREEN "#2e8b57"
#define GREY "#999999"

static void
charts(FILE *f, const Report *r)
{
	struct bar b[16];
	char txt[16][48];
	size_t n = 0;

	snprintf(txt[0], sizeof(txt[0]), "%.1f kg CO2e",
		 r->actual_co2e_g / 1000.0);
	snprintf(txt[1], sizeof(txt[1]), "%.1f kg CO2e",
		 r->counterfactual_co2e_g / 1000.0);
	b[0] = (struct bar){"pooled", (double)r->actual_co2e_g, txt[0], GREEN};
	b[1] = (struct bar){"on their own", (double)r->counterfactual_co2e_g,
			    txt[1], GREY};
	hbar_chart(f, "co2e", "CO2e emitted", b, 2);
	snprintf(txt[0], sizeof(txt[0]), "%.1f km", r->actual_m / 1000.0);
	snprintf(txt[1], sizeof(txt[1]), "%.1f km",
		 r->counterfactual_m / 1000.0);
	b[0] = (struct bar){"pooled", (double)r->actual_m, txt[0], GREEN};
	b[1] = (struct bar){"on their own", (double)r->counterfactual_m, txt[1],
			    GREY};
	hbar_chart(f, "km", "Kilometres driven", b, 2);
	days_chart(f, r);
	for (size_t i = 0; i < r->n_kinds && n < 16; i++, n++) {
		snprintf(txt[n], sizeof(txt[n]), "%.1f km",
			 r->kinds[i]->distance_m / 1000.0);
		b[n] = (struct bar){
			impact_kind_name(r->kinds[i]->kind),
			(double)r->kinds[i]->distance_m, txt[n],
			r->kinds[i]->kind == VK_CARGO_BIKE ? "#1e90ff" : GREEN};
	}
	hbar_chart(f, "kinds", "Kilometres by vehicle kind", b, n);
	n = 0;
	for (size_t i = 0; i < r->n_fill && n < 16; i++, n++) {
		snprintf(txt[n], sizeof(txt[n]), "%.1f %%",
			 r->fill[i]->fill_permille / 10.0);
		b[n] = (struct bar){
			impact_class_name(r->fill[i]->temperature_class),
			(double)r->fill[i]->fill_permille, txt[n], "#daa520"};
	}
	hbar_chart(f, "fill", "Fill rate (kg.km carried / capacity kg.km)", b,
		   n);
	n = 0;
	for (size_t i = 0; i < r->n_food && n < 16; i++, n++) {
		snprintf(txt[n], sizeof(txt[n]), "%.1f kg",
			 r->food[i]->grams / 1000.0);
		b[n] = (struct bar){impact_level_name(r->food[i]->level),
				    (double)r->food[i]->grams, txt[n],
				    r->food[i]->level == LEVEL_DISPOSAL
					    ? "#b22222"
					    : "#8fbc8f"};
	}
	hbar_chart(f, "food", "Food and flows by waste-hierarchy level", b, n);
}

static void
key_figures(FILE *f, const Report *r)
{
	char v[128];

	fputs("<table>\n", f);
	snprintf(v, sizeof(v), "%.1f km, %.1f kg CO2e", r->actual_m / 1000.0,
		 r->actual_co2e_g / 1000.0);
	figure_row(f, "Driven (pooled)", v);
	snprintf(v, sizeof(v), "%.1f km, %.1f kg CO2e in %" PRId64 " rounds",
		 r->counterfactual_m / 1000.0,
		 r->counterfactual_co2e_g / 1000.0, r->counterfactual_rounds);
	figure_row(f, "Each member on its own", v);
	snprintf(v, sizeof(v), "%.1f km, %.1f kg CO2e (%.1f %%)",
		 r->avoided_m / 1000.0, r->avoided_co2e_g / 1000.0,
		 r->avoided_permille / 10.0);
	figure_row(f, "Avoided", v);
	snprintf(v, sizeof(v), "%" PRId64 " of %" PRId64 " (%.1f %%)",
		 r->bike_deliveries, r->deliveries, r->bike_permille / 10.0);
	figure_row(f, "Deliveries by cargo bike", v);
	snprintf(v, sizeof(v), "%.1f %% of %.1f km", r->empty_permille / 10.0,
		 r->legs_m / 1000.0);
	figure_row(f, "Empty running", v);
	snprintf(v, sizeof(v), "%.1f kg", r->food_diverted_g / 1000.0);
	figure_row(f, "Food and flows diverted from disposal", v);
	snprintf(v, sizeof(v), "%" PRId64 " (deposit value %.2f EUR)",
		 r->containers_reused, r->reused_deposit_cents / 100.0);
	figure_row(f, "Containers washed and reused", v);
	snprintf(v, sizeof(v), "%.1f h driving, %.1f h riding",
		 r->driver_s / 3600.0, r->rider_s / 3600.0);
	figure_row(f, "Work hours", v);
	fputs("</table>\n", f);
}

char *
impact_report_html(const Report *r)
{
	const Lz__Impact__V1__Factors *fa = r->factors;
	struct text t;
	FILE *f = text_open(&t);

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	      "charset=\"utf-8\"><title>Livrazou impact report</title>\n"
	      "<style>body{font-family:sans-serif;max-width:720px;margin:2em "
	      "auto;color:#222}th{text-align:left;padding-right:1em}"
	      "figure{margin:1.5em 0}figcaption{font-weight:bold;margin-"
	      "bottom:.4em}p.note{font-size:.85em;color:#555}</style>"
	      "</head><body>\n<h1>Impact report</h1>\n<p>",
	      f);
	html_text(f, r->member_id[0] ? (r->member_name[0] ? r->member_name
							  : r->member_id)
				     : "The whole association");
	fputs(", from ", f);
	html_text(f, r->from);
	fputs(" to ", f);
	html_text(f, r->to);
	fputs(".</p>\n", f);
	key_figures(f, r);
	charts(f, r);
	fputs("<h2>Method</h2>\n<p class=\"note\">Counterfactual: ", f);
	html_text(f, r->method_note);
	fputs(".</p>\n<p class=\"note\">Distances: ", f);
	html_text(f, r->distance_note);
	fputs(".</p>\n<p class=\"note\">Allocation: ", f);
	html_text(f, r->allocation_note);
	fputs(".</p>\n", f);
	if (fa)
		fprintf(f,
			"<p class=\"note\">Emission factors, well-to-wheel: "
			"diesel %.3f kg CO2e/l, electricity %.3f kg "
			"CO2e/kWh; members' own vans %.1f l/100 km.</p>\n",
			fa->diesel_g_per_l / 1000.0,
			fa->electricity_g_per_kwh / 1000.0,
			fa->counterfactual_van_ml_per_100km / 1000.0);
	fputs("</body></html>\n", f);
	return text_close(&t, f);
}
