"""PostgreSQL benchmark databases, shared by the bench scripts: create one when it is
missing, or drop and create it afresh."""

import dj_database_url
import psycopg


def split(url):
    """(database name, connection parameters without the database) of a URL."""
    cfg = dj_database_url.parse(url)
    params = {"host": cfg["HOST"] or "127.0.0.1", "port": cfg["PORT"] or 5432, "user": cfg["USER"] or "postgres"}
    if cfg["PASSWORD"]:
        params["password"] = cfg["PASSWORD"]
    return cfg["NAME"], params


def ensure(url):
    """Create the database when missing; returns whether it was created."""
    name, params = split(url)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def reset(url):
    name, params = split(url)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
