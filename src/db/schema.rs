//! Table definitions in the type subset both backends share: text ids (UUIDv7 made by the app),
//! UTC `Timestamp`s, `Date`, `Bool`, `Integer`. Kept by hand in step with `migrations/`.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamp>,
        password_hash -> Nullable<Text>,
        role -> Text,
        full_name -> Text,
        name_key -> Text,
        phone -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        time_zone -> Text,
        title -> Nullable<Text>,
        active -> Bool,
        token_version -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        primary_clinician_id -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        account_key -> Text,
        client_key -> Text,
        succeeded -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        patient_id -> Nullable<Text>,
        action -> Text,
        target_id -> Nullable<Text>,
        outcome -> Text,
        request_id -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    notification_outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        user_id -> Nullable<Text>,
        dedupe_key -> Text,
        priority -> Integer,
        due_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        last_lease_owner -> Nullable<Text>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        smtp_message_id -> Nullable<Text>,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        attachments -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        headers -> Nullable<Text>,
        secret_link -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        label -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    clinic_settings (id) {
        id -> Integer,
        name -> Text,
        address -> Text,
        phone -> Text,
        time_zone -> Text,
        slot_granularity_minutes -> Integer,
        reminder_offsets_minutes -> Text,
        waitlist_offer_minutes -> Integer,
        updated_at -> Timestamp,
        odi_min_answered -> Integer,
        low_adherence_percent -> Integer,
        plateau_weeks -> Integer,
        missed_check_in_days -> Integer,
        console_idle_minutes -> Integer,
        certification_rules -> Bool,
        authorization_overrun -> Text,
        worsening_nrs_points -> Integer,
        worsening_odi_points -> Integer,
    }
}

diesel::table! {
    console_sessions (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        token_version -> Integer,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    appointment_types (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        duration_minutes -> Integer,
        buffer_before_minutes -> Integer,
        buffer_after_minutes -> Integer,
        patient_bookable -> Bool,
        min_notice_hours -> Integer,
        horizon_days -> Integer,
        cancel_cutoff_hours -> Integer,
        reschedule_cutoff_hours -> Integer,
        archived -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    clinician_services (clinician_id, appointment_type_id) {
        clinician_id -> Text,
        appointment_type_id -> Text,
    }
}

diesel::table! {
    availability_rules (id) {
        id -> Text,
        clinician_id -> Text,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
        valid_from -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    availability_exceptions (id) {
        id -> Text,
        clinician_id -> Text,
        kind -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        note -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        patient_id -> Text,
        clinician_id -> Text,
        appointment_type_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        block_start -> Timestamp,
        block_end -> Timestamp,
        status -> Text,
        reason -> Nullable<Text>,
        late_cancellation -> Bool,
        cancel_reason -> Nullable<Text>,
        sequence -> Integer,
        booked_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        episode_id -> Nullable<Text>,
        series_id -> Nullable<Text>,
    }
}

diesel::table! {
    appointment_events (id) {
        id -> Text,
        appointment_id -> Text,
        actor_id -> Nullable<Text>,
        occurred_at -> Timestamp,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        from_starts_at -> Nullable<Timestamp>,
        to_starts_at -> Nullable<Timestamp>,
        from_clinician_id -> Nullable<Text>,
        to_clinician_id -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (user_id, idempotency_key) {
        user_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    waitlist_entries (id) {
        id -> Text,
        patient_id -> Text,
        appointment_type_id -> Text,
        clinician_id -> Nullable<Text>,
        from_date -> Date,
        to_date -> Date,
        weekdays -> Text,
        earliest_minute -> Nullable<Integer>,
        latest_minute -> Nullable<Integer>,
        status -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    waitlist_offers (id) {
        id -> Text,
        entry_id -> Text,
        token_hash -> Text,
        clinician_id -> Text,
        starts_at -> Timestamp,
        expires_at -> Timestamp,
        status -> Text,
        appointment_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    exercises (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        category -> Text,
        phase -> Integer,
        instructions -> Text,
        cues -> Text,
        common_mistakes -> Text,
        default_sets -> Nullable<Integer>,
        default_reps -> Nullable<Integer>,
        default_hold_seconds -> Nullable<Integer>,
        default_duration_seconds -> Nullable<Integer>,
        video_url -> Nullable<Text>,
        archived -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    programs (id) {
        id -> Text,
        patient_id -> Text,
        created_by -> Text,
        current_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    program_versions (id) {
        id -> Text,
        program_id -> Text,
        version -> Integer,
        title -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        weekdays -> Text,
        sessions_per_week -> Nullable<Integer>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    program_items (id) {
        id -> Text,
        version_id -> Text,
        position -> Integer,
        exercise_id -> Text,
        sets -> Nullable<Integer>,
        reps -> Nullable<Integer>,
        hold_seconds -> Nullable<Integer>,
        duration_seconds -> Nullable<Integer>,
        load -> Nullable<Text>,
        side -> Nullable<Text>,
        notes -> Nullable<Text>,
        phase -> Nullable<Integer>,
    }
}

diesel::table! {
    exercise_logs (id) {
        id -> Text,
        patient_id -> Text,
        program_id -> Text,
        program_version_id -> Text,
        performed_on -> Date,
        items -> Text,
        pain -> Nullable<Integer>,
        effort -> Nullable<Integer>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminder_settings (user_id, kind) {
        user_id -> Text,
        kind -> Text,
        enabled -> Bool,
        weekdays -> Text,
        local_minute -> Integer,
        next_run_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    alerts (id) {
        id -> Text,
        patient_id -> Text,
        kind -> Text,
        severity -> Text,
        severity_rank -> Integer,
        status -> Text,
        detail -> Nullable<Text>,
        opened_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        acknowledgement_note -> Nullable<Text>,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Text,
        appointment_id -> Text,
        patient_id -> Text,
        clinician_id -> Text,
        evaluated_on -> Date,
        findings -> Text,
        start_back_answers -> Text,
        start_back_total -> Integer,
        start_back_psychosocial -> Integer,
        start_back_risk -> Text,
        baseline_nrs -> Integer,
        baseline_odi_answers -> Text,
        baseline_odi -> Nullable<Double>,
        baseline_psfs_ratings -> Text,
        baseline_psfs -> Nullable<Double>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    psfs_activities (patient_id, position) {
        patient_id -> Text,
        position -> Integer,
        name -> Text,
    }
}

diesel::table! {
    check_ins (id) {
        id -> Text,
        patient_id -> Text,
        completed_on -> Date,
        pain_now -> Integer,
        pain_average -> Integer,
        pain_worst -> Integer,
        odi_answers -> Text,
        odi_score -> Nullable<Double>,
        psfs_ratings -> Text,
        psfs_score -> Nullable<Double>,
        sleep_quality -> Nullable<Integer>,
        exercise_confidence -> Nullable<Integer>,
        note -> Nullable<Text>,
        red_flags -> Text,
        red_flag_severity -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    episodes (id) {
        id -> Text,
        patient_id -> Text,
        clinician_id -> Text,
        status -> Text,
        evaluated_on -> Date,
        evaluation_appointment_id -> Nullable<Text>,
        treatment -> Text,
        visits_per_week -> Integer,
        duration_weeks -> Integer,
        planned_visits -> Integer,
        referral_source -> Nullable<Text>,
        referring_provider -> Nullable<Text>,
        referral_signed_on -> Nullable<Date>,
        signed_order_on_file -> Bool,
        closed_on -> Nullable<Date>,
        close_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    episode_diagnoses (id) {
        id -> Text,
        episode_id -> Text,
        position -> Integer,
        code -> Text,
        description -> Text,
    }
}

diesel::table! {
    episode_goals (id) {
        id -> Text,
        episode_id -> Text,
        position -> Integer,
        term -> Text,
        description -> Text,
        target_date -> Nullable<Date>,
        status -> Text,
    }
}

diesel::table! {
    certification_periods (id) {
        id -> Text,
        episode_id -> Text,
        number -> Integer,
        starts_on -> Date,
        ends_on -> Date,
        sent_on -> Nullable<Date>,
        signed_on -> Nullable<Date>,
        signed_by -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    authorizations (id) {
        id -> Text,
        episode_id -> Text,
        payer -> Text,
        reference -> Text,
        visits -> Integer,
        valid_from -> Date,
        valid_to -> Date,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    visit_series (id) {
        id -> Text,
        episode_id -> Text,
        clinician_id -> Text,
        appointment_type_id -> Text,
        weekly -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(appointments -> appointment_types (appointment_type_id));
diesel::joinable!(appointment_events -> appointments (appointment_id));
diesel::joinable!(waitlist_offers -> waitlist_entries (entry_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(console_sessions -> users (user_id));
diesel::joinable!(episode_diagnoses -> episodes (episode_id));
diesel::joinable!(episode_goals -> episodes (episode_id));
diesel::joinable!(certification_periods -> episodes (episode_id));
diesel::joinable!(authorizations -> episodes (episode_id));
diesel::joinable!(visit_series -> episodes (episode_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    episodes,
    episode_diagnoses,
    episode_goals,
    certification_periods,
    authorizations,
    visit_series,
    refresh_tokens,
    one_time_tokens,
    login_attempts,
    audit_log,
    notification_outbox,
    api_tokens,
    clinic_settings,
    appointment_types,
    clinician_services,
    availability_rules,
    availability_exceptions,
    appointments,
    appointment_events,
    idempotency_keys,
    waitlist_entries,
    waitlist_offers,
    exercises,
    programs,
    program_versions,
    program_items,
    exercise_logs,
    reminder_settings,
    alerts,
    evaluations,
    psfs_activities,
    check_ins,
    console_sessions
);
