package dev.harrier.boot;

import dev.harrier.secret.SecretCipher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * Before Quarkus starts: the configured secrets keys must open every stored secret, or start-up
 * ends with one line saying what to set ({@code secret.SecretKeyCheck} checks again inside the
 * application, for databases named by Quarkus's own settings, and seals old values again).
 */
final class SecretsPreflight {

    private SecretsPreflight() {
    }

    static void check(DatabaseUrl url, Map<String, String> env, Properties system) {
        String key = DatabaseBootstrap.setting(env, system, "HARRIER_SECRETS_KEY", "harrier.secrets.key");
        String oldKeys = DatabaseBootstrap.setting(env, system, "HARRIER_SECRETS_OLD_KEYS", "harrier.secrets.old-keys");
        SecretCipher cipher;
        try {
            cipher = key == null || key.isBlank() ? null : SecretCipher.of(key, oldKeys);
        } catch (SecretCipher.KeyProblem problem) {
            throw new StartupProblem(problem.getMessage());
        }
        try (Connection connection = DatabasePreflight.connect(url);
             Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("SELECT to_regclass('harrier.workspace_secrets') IS NOT NULL")) {
                if (!exists.next() || !exists.getBoolean(1)) {
                    return;
                }
            }
            int count = 0;
            try (ResultSet rows = statement.executeQuery("SELECT workspace, name, value, key_id FROM harrier.workspace_secrets")) {
                while (rows.next()) {
                    count++;
                    if (cipher != null) {
                        cipher.open(rows.getString(1), rows.getString(2), new SecretCipher.Sealed(rows.getBytes(3), rows.getString(4)));
                    }
                }
            }
            if (count > 0 && cipher == null) {
                throw new StartupProblem("the database holds " + count + " sealed secrets and HARRIER_SECRETS_KEY is not set:"
                        + " set the key that sealed them");
            }
        } catch (SecretCipher.KeyProblem problem) {
            throw new StartupProblem(problem.getMessage());
        } catch (SQLException e) {
            // The application checks again once it has migrated and connected.
        }
    }
}
