{#- Privacy: only people int_person_privacy marks visible (allow list, deny list; unknown people fail closed). -#}

{% macro privacy_visible(person_col='person_id') %}
  {{- person_col }} in (select person_id from {{ ref('int_person_privacy') }} where is_visible)
{%- endmacro %}


{% macro purge_hidden_people(person_col='person_id') %}
  {#- Post-hook of incremental person-grain marts: rows written before someone was deny-listed go too. -#}
  delete from {{ this }} where not ({{ privacy_visible(person_col) }})
{% endmacro %}


{% macro privacy_list(seed_name, env_name) %}
  {#- The normalized addresses of a privacy list: the seed's rows plus the env var's (comma-separated). An env
      var, not a dbt var, because dbt logs its command line and these addresses must stay out of logs. -#}
  {%- set extra = env_var(env_name, '').split(',') -%}
    select distinct lower(trim(email)) as email_normalized
    from (
        select cast(email as varchar) as email from {{ ref(seed_name) }}
        {%- for address in extra if address | trim %}
        union all select {{ dbt.string_literal(address | trim) }}
        {%- endfor %}
    )
    where nullif(trim(email), '') is not null
{%- endmacro %}


{% macro masked_people_list(relation, list_col) %}
  {#- Per person_id of `relation`: the people in its list column `list_col`, in order, as ids and display names,
      with people the privacy lists hide kept in place as nulls (has_withheld says so). -#}
    select
        person_id,
        [m.id for m in members] as ids,
        [m.name for m in members] as names,
        list_bool_or([m.id is null for m in members]) as has_withheld
    from (
        -- one ordered aggregate of (id, name) pairs: a third of the time of one ordered list per column
        select
            lists.person_id,
            list({
                'id': case when visible.person_id is not null then lists.member_id end,
                'name': case when visible.person_id is not null then users.display_name end
            } order by lists.pos) as members
        from (
            select person_id, pos, {{ list_col }}[pos] as member_id
            from {{ relation }}, unnest(generate_series(1, len({{ list_col }}))) as steps(pos)
        ) as lists
        left join (select person_id from {{ ref('int_person_privacy') }} where is_visible) as visible
            on lists.member_id = visible.person_id
        left join {{ ref('stg_graph__users') }} as users on lists.member_id = users.person_id
        group by lists.person_id
    )
{%- endmacro %}
