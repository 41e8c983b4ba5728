#pragma once
// The bug of the deployment guide, as the live database had it: log_auth_event() still inserts
// into public.auth_event_log (line 5 of its body), a table renamed to user_auth_log.

namespace cora::test {

inline constexpr const char* kStaleLogAuthEvent = R"(
CREATE OR REPLACE FUNCTION public.log_auth_event(
    p_event_type text, p_user_email text DEFAULT NULL, p_user_id uuid DEFAULT NULL, p_org_id uuid DEFAULT NULL,
    p_ip_address text DEFAULT NULL, p_user_agent text DEFAULT NULL, p_failure_reason text DEFAULT NULL,
    p_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.auth_event_log (event_type, user_email)
    VALUES (p_event_type, p_user_email)
    RETURNING id INTO v_id;
    RETURN v_id;
END;
$$;)";

}  // namespace cora::test
