/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_metrics.c -- see lz_metrics.h.
 */
#include "lz_metrics.h"

#include "lz_log.h"
#include "lz_util.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum kind { COUNTER, GAUGE, HISTOGRAM };

struct lz_metric {
	char *name;
	char *help;
	char *label;
	char *value_label;
	enum kind kind;
	double value;
	/* histograms */
	double *bounds;
	uint64_t *buckets; /* nbounds + 1, not cumulative */
	int nbounds;
	double sum;
	uint64_t count;
	struct lz_metric *next;
};

struct lz_metrics {
	struct lz_metric *head, *tail;
};

struct lz_metrics *
lz_metrics_new(void)
{
	return xcalloc(1, sizeof(struct lz_metrics));
}

void
lz_metrics_destroy(struct lz_metrics **mp)
{
	struct lz_metrics *m = *mp;

	if (m == NULL)
		return;
	for (struct lz_metric *x = m->head, *next; x; x = next) {
		next = x->next;
		free(x->name);
		free(x->help);
		free(x->label);
		free(x->value_label);
		free(x->bounds);
		free(x->buckets);
		free(x);
	}
	free(m);
	*mp = NULL;
}

static int
streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static struct lz_metric *
get(struct lz_metrics *m, enum kind kind, const char *name, const char *help,
    const char *label, const char *value)
{
	struct lz_metric *x, *last_of_family = NULL;

	for (x = m->head; x; x = x->next) {
		if (strcmp(x->name, name) != 0)
			continue;
		if (x->kind != kind)
			lz_fatal("metric registered with two types", "name=%s",
				 name);
		if (streq(x->label, label) && streq(x->value_label, value))
			return x;
		last_of_family = x;
	}
	x = xcalloc(1, sizeof(*x));
	x->name = xstrdup(name);
	x->help = xstrdup(help);
	x->label = label ? xstrdup(label) : NULL;
	x->value_label = value ? xstrdup(value) : NULL;
	x->kind = kind;
	/* Keep a family together so that it is rendered as one block. */
	if (last_of_family) {
		x->next = last_of_family->next;
		last_of_family->next = x;
		if (m->tail == last_of_family)
			m->tail = x;
	} else if (m->tail) {
		m->tail->next = x;
		m->tail = x;
	} else {
		m->head = m->tail = x;
	}
	return x;
}

struct lz_metric *
lz_metrics_counter(struct lz_metrics *m, const char *name, const char *help,
		   const char *label, const char *value)
{
	return get(m, COUNTER, name, help, label, value);
}

struct lz_metric *
lz_metrics_gauge(struct lz_metrics *m, const char *name, const char *help,
		 const char *label, const char *value)
{
	return get(m, GAUGE, name, help, label, value);
}

struct lz_metric *
lz_metrics_histogram(struct lz_metrics *m, const char *name, const char *help,
		     const double *bounds, int nbounds)
{
	struct lz_metric *h = get(m, HISTOGRAM, name, help, NULL, NULL);

	if (h->bounds == NULL) {
		h->bounds = xmalloc(sizeof(double) * (size_t)nbounds);
		memcpy(h->bounds, bounds, sizeof(double) * (size_t)nbounds);
		h->nbounds = nbounds;
		h->buckets = xcalloc((size_t)nbounds + 1, sizeof(uint64_t));
	}
	return h;
}

void
lz_metric_add(struct lz_metric *c, double v)
{
	c->value += v;
}

void
lz_metric_set(struct lz_metric *g, double v)
{
	g->value = v;
}

double
lz_metric_value(const struct lz_metric *c)
{
	return c->kind == HISTOGRAM ? (double)c->count : c->value;
}

/* The entry of TABLE counter NAME shows as, and in *VALUE its label value
 * (NULL: none); NULL when none. */
static const struct lz_stat_metric *
find_stat(const struct lz_stat_metric *table, size_t n, const char *name,
	  const char **value)
{
	for (size_t i = 0; i < n; i++) {
		const struct lz_stat_metric *t = &table[i];
		size_t len = strlen(t->stat);

		if (strncmp(name, t->stat, len) != 0)
			continue;
		if (t->label ? name[len] != '/' || name[len + 1] == '\0'
			     : name[len] != '\0')
			continue;
		*value = t->label ? name + len + 1 : NULL;
		return t;
	}
	return NULL;
}

static struct lz_metric *
stat_metric(struct lz_metrics *m, const struct lz_stat_metric *t,
	    const char *value)
{
	return t->gauge ? lz_metrics_gauge(m, t->metric, t->help, t->label,
					   value)
			: lz_metrics_counter(m, t->metric, t->help, t->label,
					     value);
}

void
lz_metrics_sync_stat(struct lz_metrics *m, const struct lz_stat_metric *table,
		     size_t n, const char *name, int64_t v)
{
	const char *value;
	const struct lz_stat_metric *t = find_stat(table, n, name, &value);
	struct lz_metric *x;
	double d;

	if (t == NULL)
		return;
	x = stat_metric(m, t, value);
	d = (double)v * (t->scale != 0 ? t->scale : 1);
	if (t->gauge)
		lz_metric_set(x, d);
	else if (d > lz_metric_value(x))
		lz_metric_add(x, d - lz_metric_value(x));
}

void
lz_metrics_init_stat(struct lz_metrics *m, const struct lz_stat_metric *table,
		     size_t n, const char *name)
{
	const char *value;
	const struct lz_stat_metric *t = find_stat(table, n, name, &value);

	if (t)
		stat_metric(m, t, value);
}

void
lz_metrics_init_stats(struct lz_metrics *m, const struct lz_stat_metric *table,
		      size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].label == NULL)
			stat_metric(m, &table[i], NULL);
}

void
lz_metric_observe(struct lz_metric *h, double v)
{
	int i = 0;

	while (i < h->nbounds && v > h->bounds[i])
		i++;
	h->buckets[i]++;
	h->sum += v;
	h->count++;
}

static void
print_value(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.9g", v);
}

/* Escapes backslash and newline (and, in label values, double quotes) as
 * the text format requires. */
static void
print_escaped(FILE *f, const char *s, int quotes)
{
	for (; *s; s++) {
		if (*s == '\\' || (quotes && *s == '"'))
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void
print_family(FILE *f, const char *name, const char *type, const char *help,
	     double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s ", name, help, name, type,
		name);
	/* 15 digits: a time since the epoch keeps its hundredths */
	if (v == floor(v))
		fprintf(f, "%.0f\n", v);
	else
		fprintf(f, "%.15g\n", v);
}

/* The process's start, in seconds since the epoch: /proc/self/stat gives
 * it in clock ticks since boot, CLOCK_BOOTTIME the time since boot (which
 * spares reading /proc/stat, hidden by systemd's ProcSubset=pid).  Computed
 * once, so that it does not move with the clocks' rounding. */
static double
start_time(unsigned long long start_ticks, long hz)
{
	static double start;
	struct timespec real, boot;

	if (start == 0 && clock_gettime(CLOCK_REALTIME, &real) == 0 &&
	    clock_gettime(CLOCK_BOOTTIME, &boot) == 0)
		start = round(((double)real.tv_sec + real.tv_nsec / 1e9 -
			       ((double)boot.tv_sec + boot.tv_nsec / 1e9)) *
				      (double)hz +
			      (double)start_ticks) /
			(double)hz;
	return start;
}

/* The process_* families of the Prometheus client libraries, from
 * /proc/self (proc(5)): what cannot be read is left out, never shown as 0. */
static void
render_process(FILE *f)
{
	char buf[1024], *p;
	unsigned long long utime, stime, start, vsize;
	long long rss;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	FILE *in;
	DIR *d;

	if ((in = fopen("/proc/self/stat", "r")) != NULL) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, in);
		fclose(in);
		buf[n] = '\0';
		/* after the command name, which may hold spaces and ')':
		 * state (3) ... utime (14) stime (15) ... starttime (22)
		 * vsize (23) rss (24) */
		p = strrchr(buf, ')');
		if (p && hz > 0 &&
		    sscanf(p + 1,
			   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
			   "%llu %*d %*d %*d %*d %*d %*d %llu %llu %lld",
			   &utime, &stime, &start, &vsize, &rss) == 5) {
			print_family(f, "process_cpu_seconds_total", "counter",
				     "User and system CPU time spent, seconds",
				     (double)(utime + stime) / (double)hz);
			print_family(f, "process_resident_memory_bytes",
				     "gauge", "Resident memory size, bytes",
				     (double)rss * (double)page);
			print_family(f, "process_virtual_memory_bytes", "gauge",
				     "Virtual memory size, bytes",
				     (double)vsize);
			print_family(f, "process_start_time_seconds", "gauge",
				     "Start time of the process since the "
				     "epoch, seconds",
				     start_time(start, hz));
		}
	}
	if ((d = opendir("/proc/self/fd")) != NULL) {
		long fds = 0;
		const struct dirent *e;

		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				fds++;
		/* not the descriptor of the listing itself */
		print_family(f, "process_open_fds", "gauge",
			     "Open file descriptors", (double)(fds - 1));
		closedir(d);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		print_family(f, "process_max_fds", "gauge",
			     "Limit of open file descriptors",
			     (double)rl.rlim_cur);
}

static void
render_build_info(FILE *f)
{
	const char *service = lz_log_prog();

	if (strncmp(service, "lz-", 3) == 0)
		service += 3;
	fputs("# HELP lz_build_info Version of the program, always 1\n"
	      "# TYPE lz_build_info gauge\n"
	      "lz_build_info{version=\"",
	      f);
	print_escaped(f, LZ_VERSION, 1);
	fputs("\",service=\"", f);
	print_escaped(f, service, 1);
	fputs("\"} 1\n", f);
}

void
lz_metrics_render(const struct lz_metrics *m, FILE *f)
{
	static const char *const type_names[] = {"counter", "gauge",
						 "histogram"};
	const char *family = NULL;

	for (const struct lz_metric *x = m->head; x; x = x->next) {
		if (family == NULL || strcmp(family, x->name) != 0) {
			fprintf(f, "# HELP %s ", x->name);
			print_escaped(f, x->help, 0);
			fprintf(f, "\n# TYPE %s %s\n", x->name,
				type_names[x->kind]);
			family = x->name;
		}
		if (x->kind != HISTOGRAM) {
			fputs(x->name, f);
			if (x->label) {
				fprintf(f, "{%s=\"", x->label);
				print_escaped(f, x->value_label, 1);
				fputs("\"}", f);
			}
			fputc(' ', f);
			print_value(f, x->value);
			fputc('\n', f);
			continue;
		}
		uint64_t cum = 0;
		for (int i = 0; i <= x->nbounds; i++) {
			cum += x->buckets[i];
			fprintf(f, "%s_bucket{le=\"", x->name);
			print_value(f,
				    i < x->nbounds ? x->bounds[i] : INFINITY);
			fprintf(f, "\"} %llu\n", (unsigned long long)cum);
		}
		fprintf(f, "%s_sum ", x->name);
		print_value(f, x->sum);
		fprintf(f, "\n%s_count %llu\n", x->name,
			(unsigned long long)x->count);
	}
	if (m->head == NULL)
		return;
	render_process(f);
	render_build_info(f);
}
