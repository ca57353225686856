/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_metrics.h -- counters, gauges and histograms, rendered in the
 * Prometheus text exposition format 0.0.4.
 *
 * A metric is a family name plus at most one label (name="value").  Asking
 * twice for the same name and label returns the same metric, so callers
 * may look labelled metrics up lazily (e.g. per source).  Metrics live as
 * long as the registry.  Single-threaded, like the daemons.
 */
#ifndef LZ_METRICS_H
#define LZ_METRICS_H

#include <stdint.h>
#include <stdio.h>

struct lz_metrics;
struct lz_metric;

struct lz_metrics *lz_metrics_new(void);
void lz_metrics_destroy(struct lz_metrics **mp);

/* Returns the metric NAME{LABEL="VALUE"} (LABEL NULL: no label), creating
 * it with HELP.  NAME must be a valid Prometheus name; the first creation
 * of a family fixes its type and help. */
struct lz_metric *lz_metrics_counter(struct lz_metrics *m, const char *name,
				     const char *help, const char *label,
				     const char *value);
struct lz_metric *lz_metrics_gauge(struct lz_metrics *m, const char *name,
				   const char *help, const char *label,
				   const char *value);
/* BOUNDS: NBOUNDS increasing upper bounds (the +Inf bucket is implied). */
struct lz_metric *lz_metrics_histogram(struct lz_metrics *m, const char *name,
				       const char *help, const double *bounds,
				       int nbounds);

void lz_metric_add(struct lz_metric *c, double v);     /* counters, gauges */
void lz_metric_set(struct lz_metric *g, double v);     /* gauges */
void lz_metric_observe(struct lz_metric *h, double v); /* histograms */
double lz_metric_value(const struct lz_metric *c);

/* How a service's durable counters (lz_store_counters) show as metrics.
 * The counter named STAT becomes METRIC; with LABEL set, every counter
 * "STAT/<value>" becomes METRIC{LABEL="<value>"}.  Its value times SCALE
 * (0 means 1) is a counter that only moves up, or, with GAUGE, a gauge. */
struct lz_stat_metric {
	const char *stat, *metric, *help, *label;
	double scale;
	int gauge;
};

/* Creates the metric of every unlabelled entry of TABLE (N entries) at 0,
 * so that a scrape sees it before it first moves. */
void lz_metrics_init_stats(struct lz_metrics *m,
			   const struct lz_stat_metric *table, size_t n);

/* Creates the metric counter NAME would show as (e.g. "refused/<value>"
 * for a labelled entry of TABLE) at 0, leaving one that exists alone: the
 * label values a service can count, shown before the first.  A name that
 * is not in TABLE is left alone. */
void lz_metrics_init_stat(struct lz_metrics *m,
			  const struct lz_stat_metric *table, size_t n,
			  const char *name);

/* Brings the metric of counter NAME, now V, up to date from TABLE (N
 * entries); a name that is not in it is left alone. */
void lz_metrics_sync_stat(struct lz_metrics *m,
			  const struct lz_stat_metric *table, size_t n,
			  const char *name, int64_t v);

/* Writes every metric to F in the text format, then the families every
 * program exports, read from /proc/self at each call:
 * process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds (those /proc cannot give are left out), and
 * lz_build_info{version="LZ_VERSION",service="S"} 1, S being lz_log_prog()
 * without its "lz-" prefix.  An empty registry (no metric created yet)
 * renders as nothing at all. */
void lz_metrics_render(const struct lz_metrics *m, FILE *f);

#endif
