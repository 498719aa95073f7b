{#-
  The partition window: min_date / max_date (inclusive, YYYY-MM-DD), the Dagster run's partition range.
  A run owns record dates [min_date - lookback_days, max_date]; the pull for partition P re-sends record dates
  [P - pull_overlap_days, P], so every pull that can hold an owned date lies in bronze partitions
  [min_date - lookback_days, max_date + pull_overlap_days]. Reading all of them lets any window, old or new, be
  recomputed from every version of its records: latest pull wins no matter which window runs last.
  Null vars mean an unbounded side: everything.
-#}

{% macro window_var_date(name) %}
  {#- `--vars` win; else the environment Dagster sets per run (FLYWHEEL_DBT_MIN_DATE / _MAX_DATE), read only when
      executing so that dbt's saved parse stays valid from one window to the next (it re-parses the whole project
      when `--vars` change). The window shapes SQL text only, never a config, so the parse needs no value. -#}
  {%- set value = var(name, none) -%}
  {%- if value is none and execute -%}
    {%- set value = env_var('FLYWHEEL_DBT_' ~ (name | upper), '') or none -%}
  {%- endif -%}
  {%- if value is none or (value | string | trim | lower) in ('', 'none', 'null') -%}
    {{ return(none) }}
  {%- endif -%}
  {{ return(modules.datetime.date.fromisoformat(value | string | trim)) }}
{% endmacro %}


{% macro is_windowed() %}
  {{ return(window_var_date('min_date') is not none or window_var_date('max_date') is not none) }}
{% endmacro %}


{% macro flywheel_window(pad_before=0, pad_after=0) %}
  {#- Record dates a run owns, widened by pad_before / pad_after days; a bound is none when unbounded. -#}
  {%- set lo = window_var_date('min_date') -%}
  {%- set hi = window_var_date('max_date') -%}
  {%- if lo is not none -%}
    {%- set lo = lo - modules.datetime.timedelta(days=(var('lookback_days') | int) + pad_before) -%}
  {%- endif -%}
  {%- if hi is not none -%}
    {%- set hi = hi + modules.datetime.timedelta(days=pad_after) -%}
  {%- endif -%}
  {{ return({'start': lo, 'end': hi}) }}
{% endmacro %}


{% macro date_between(expr, start, end) %}
  {#- A predicate on a date expression; `true` when both bounds are open. -#}
  {%- set terms = [] -%}
  {%- if start is not none -%}
    {%- do terms.append(expr ~ " >= date '" ~ start.isoformat() ~ "'") -%}
  {%- endif -%}
  {%- if end is not none -%}
    {%- do terms.append(expr ~ " <= date '" ~ end.isoformat() ~ "'") -%}
  {%- endif -%}
  {{- '(' ~ (terms | join(' and ')) ~ ')' if terms else 'true' -}}
{% endmacro %}


{% macro bronze_partition_filter(partition_col='_partition_date') %}
  {#- The bronze partitions (daily pulls) that can hold a record date the run owns. Constant bounds, so the
      filter is pushed down into the Delta dataset scan and other partitions are never read. -#}
  {%- set w = flywheel_window() -%}
  {%- set end = none -%}
  {%- if w.end is not none -%}
    {%- set end = w.end + modules.datetime.timedelta(days=var('pull_overlap_days') | int) -%}
  {%- endif -%}
  {{- date_between(partition_col, w.start, end) -}}
{% endmacro %}


{% macro record_date_filter(expr, pad_before=0, pad_after=0) %}
  {%- set w = flywheel_window(pad_before, pad_after) -%}
  {{- date_between(expr, w.start, w.end) -}}
{% endmacro %}


{% macro delete_window(date_col, pad_before=0, pad_after=0) %}
  {#- Pre-hook of incremental models (runs inside the model's transaction): drop every row the window owns
      before delete+insert writes the recomputed ones, so a row that vanished upstream vanishes here too.
      With no window the run owns everything. -#}
  {%- if is_incremental() -%}
    delete from {{ this }} where {{ record_date_filter(date_col, pad_before, pad_after) }}
  {%- endif -%}
{% endmacro %}
