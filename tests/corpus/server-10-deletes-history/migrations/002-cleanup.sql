DELETE FROM cora_migrate.schema_history WHERE version = 1;
