package io.tokendiscovery.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The raw SQL floor of a sync batch: {@code routes/sql/upsert-token-batch.sql} straight over pgjdbc, one
 * PreparedStatement with a {@code text[]} per column, the RETURNING rows read, commit. No Spring, no savepoint, no
 * Redis: the cost of the statement itself.
 */
final class FloorUpsert implements AutoCloseable {

    private final Connection connection;
    private final UpsertStatements.Jdbc statement;

    FloorUpsert(Connection connection, UpsertStatements.Jdbc statement) throws SQLException {
        this.connection = connection;
        this.statement = statement;
        connection.setAutoCommit(false);
    }

    /** @return rows returned (inserted or updated) */
    int write(Map<String, Object> batch) throws SQLException {
        List<Array> arrays = new ArrayList<>();
        int returned = 0;
        try (PreparedStatement ps = connection.prepareStatement(statement.sql())) {
            int index = 1;
            for (String name : statement.parameters()) {
                Object value = batch.get(name);
                if (value instanceof String[] column) {
                    Array array = connection.createArrayOf("text", column);
                    arrays.add(array);
                    ps.setArray(index++, array);
                } else {
                    ps.setObject(index++, value);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getBoolean(2);
                    returned++;
                }
            }
        }
        connection.commit();
        for (Array array : arrays) {
            array.free();
        }
        return returned;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
