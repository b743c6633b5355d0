package dev.harrier.http;

/**
 * What an HTTP header may hold: a name that is a token (RFC 9110), a value without control
 * characters (a CR or LF would end the header early and let the rest be read as headers of its
 * own). The kinds check their arguments with it at enqueue; the client refuses a request that
 * fails it anyway (a job stored otherwise).
 */
public final class HeaderChecks {

    private HeaderChecks() {
    }

    public static boolean isToken(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

}
