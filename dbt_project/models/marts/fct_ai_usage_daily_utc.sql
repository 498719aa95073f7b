{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['person_id', 'utc_date', 'tool'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('utc_date') }}",
        post_hook="{{ purge_hidden_people('person_id') }}"
    )
}}

{{ ai_usage_daily('utc_date') }}
