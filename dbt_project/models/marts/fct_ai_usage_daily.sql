{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['person_id', 'local_date', 'tool'],
        on_schema_change='fail',
        pre_hook="{{ delete_window('local_date', 1, 1) }}",
        post_hook="{{ purge_hidden_people('person_id') }}"
    )
}}

{{ ai_usage_daily('local_date') }}
