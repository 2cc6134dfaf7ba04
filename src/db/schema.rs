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
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        smtp_message_id -> Nullable<Text>,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        attachments -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
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

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    one_time_tokens,
    login_attempts,
    audit_log,
    notification_outbox,
    api_tokens
);
