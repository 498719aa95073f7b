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


{% macro graph_user_columns() %}
  {#- Graph users as staged: ids, normalized addresses (lists), org fields, account state, licence SKUs, lineage.
      Shared by the current directory (stg_graph__users) and the people who left it (stg_graph__former_users). -#}
    select
        id as person_id,
        display_name,
        nullif(lower(trim(mail)), '') as mail_normalized,
        nullif(lower(trim(user_principal_name)), '') as user_principal_name_normalized,
        -- JSON text -> lists of normalized addresses; invalid JSON gives an empty list rather than failing
        case when json_valid(other_mails) then
            [lower(trim(x)) for x in from_json(other_mails, '["VARCHAR"]') if nullif(trim(x), '') is not null]
        else [] end as other_mails_normalized,
        -- only SMTP proxy addresses are email addresses ("SMTP:" primary, "smtp:" alias; X500:, SIP: are not)
        case when json_valid(proxy_addresses) then
            [lower(trim(x[6:])) for x in from_json(proxy_addresses, '["VARCHAR"]')
                if lower(x) like 'smtp:%' and nullif(trim(x[6:]), '') is not null]
        else [] end as proxy_smtp_addresses_normalized,
        job_title,
        nullif(trim(department), '') as department,
        nullif(trim(office_location), '') as office_location,
        employee_id,
        nullif(trim(manager_id), '') as manager_id,
        case lower(trim(account_enabled)) when 'true' then true when 'false' then false end as account_enabled,
        case when json_valid(assigned_licenses) then
            [lower(x) for x in json_extract_string(assigned_licenses, '$[*].skuId') if x is not null]
        else [] end as assigned_sku_ids,
        {{ bronze_lineage() }}
{%- endmacro %}


{% macro bronze_mirror_config() %}
  {#- A copy of a bronze table in DuckDB, refreshed per window: the pre-hook drops the bronze partitions the run
      reads and the model appends them again, so a day's run reads its own Delta partitions, not the history's,
      and models downstream scan a native table instead of opening every Delta file. -#}
  {{ config(
      materialized='incremental',
      incremental_strategy='append',
      on_schema_change='fail',
      pre_hook="{{ delete_bronze_window() }}"
  ) }}
{% endmacro %}


{% macro delete_bronze_window() %}
  {%- if is_incremental() -%}
    delete from {{ this }} where {{ bronze_partition_filter('pulled_partition_date') }}
  {%- endif -%}
{% endmacro %}
