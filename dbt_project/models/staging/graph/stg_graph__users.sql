{{ config(materialized='table') }}

-- Directory users from the latest sync (graph/users holds the whole directory per sync partition).
with source as (

    select * from {{ source('graph', 'users') }}

),

latest as (

    {{ latest_snapshot('source') }}

),

renamed as (

    {{ graph_user_columns() }}
    from latest

)

-- a snapshot can list a user twice (paging); keep the newest request's row
{{ latest_pull_wins('renamed', ['person_id'], ['display_name', 'mail_normalized']) }}
