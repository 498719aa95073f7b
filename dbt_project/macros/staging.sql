{#- The shape every staging model shares: which bronze rows it reads, the lineage columns it carries, and how
    overlapping pulls collapse to one row per natural key. -#}

{% macro staging_incremental_config(unique_key, date_col='usage_date') %}
  {#- Incremental by record date: a run deletes the dates its window owns and writes them again. -#}
  {{ config(
      materialized='incremental',
      incremental_strategy='delete+insert',
      unique_key=unique_key,
      on_schema_change='fail',
      pre_hook="{{ delete_window('" ~ date_col ~ "') }}"
  ) }}
{% endmacro %}


{% macro bronze_lineage() %}
        _partition_date as pulled_partition_date,
        _pulled_at as pulled_at,
        _source,
        _request_id
{%- endmacro %}


{% macro latest_snapshot(relation) %}
    {#- Snapshot sources (one full list per pull): the newest pull's list is the current one. -#}
    select * from {{ relation }}
    where _partition_date = (select max(_partition_date) from {{ relation }})
{%- endmacro %}


{% macro latest_pull_wins(relation, keys, tiebreak=[]) %}
    {#- One row per natural key: the newest pull partition, then the newest pull time; the payload columns in
        `tiebreak` settle exact ties so a re-run writes identical rows. -#}
    select * from {{ relation }}
    qualify row_number() over (
        partition by {{ keys | join(', ') }}
        order by pulled_partition_date desc, pulled_at desc, _request_id desc nulls last
            {%- for col in tiebreak %}, {{ col }} desc nulls last{% endfor %}
    ) = 1
{%- endmacro %}
