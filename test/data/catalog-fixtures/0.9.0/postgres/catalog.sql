--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: fixture; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA fixture;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: account_secrets; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.account_secrets (
    secret_id bigint NOT NULL,
    access_key text NOT NULL,
    sealed bytea NOT NULL,
    created_at_ms bigint NOT NULL
);


--
-- Name: account_secrets_secret_id_seq; Type: SEQUENCE; Schema: fixture; Owner: -
--

ALTER TABLE fixture.account_secrets ALTER COLUMN secret_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME fixture.account_secrets_secret_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: accounts; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.accounts (
    access_key text NOT NULL,
    vdn_ids text NOT NULL,
    is_admin boolean NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    description text,
    created_at_ms bigint NOT NULL,
    updated_at_ms bigint NOT NULL
);


--
-- Name: audit; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.audit (
    id bigint NOT NULL,
    at_ms bigint NOT NULL,
    access_key text,
    vdn_id integer,
    client_ip text NOT NULL,
    interface text NOT NULL,
    file text,
    result_code text NOT NULL,
    duration_ms bigint NOT NULL
);


--
-- Name: audit_id_seq; Type: SEQUENCE; Schema: fixture; Owner: -
--

ALTER TABLE fixture.audit ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME fixture.audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: catalog_probe; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.catalog_probe (
    id integer NOT NULL,
    node text,
    at timestamp with time zone NOT NULL,
    CONSTRAINT catalog_probe_id_check CHECK ((id = 1))
);


--
-- Name: change_version; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.change_version (
    id integer NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT change_version_id_check CHECK ((id = 1))
);


--
-- Name: file_copies; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.file_copies (
    path text NOT NULL,
    location_id text NOT NULL,
    state smallint DEFAULT 1 NOT NULL,
    owner text,
    ordinal smallint DEFAULT 0 NOT NULL
);


--
-- Name: files; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.files (
    path text NOT NULL,
    file_name text NOT NULL,
    vdn_id integer NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    encoding text NOT NULL,
    duration_ms bigint NOT NULL,
    access_key text NOT NULL,
    created_at_ms bigint NOT NULL,
    state smallint NOT NULL,
    owner text
);


--
-- Name: ip_failures; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.ip_failures (
    address text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    failures integer NOT NULL
);


--
-- Name: ip_locks; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.ip_locks (
    address text NOT NULL,
    locked_until timestamp with time zone NOT NULL
);


--
-- Name: master_key_check; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.master_key_check (
    id integer NOT NULL,
    sealed bytea NOT NULL,
    CONSTRAINT master_key_check_id_check CHECK ((id = 1))
);


--
-- Name: nodes; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.nodes (
    instance text NOT NULL,
    name text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    lease_until timestamp with time zone NOT NULL
);


--
-- Name: parameter_overrides; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.parameter_overrides (
    scope text NOT NULL,
    json text NOT NULL,
    updated_at_ms bigint NOT NULL
);


--
-- Name: replay_cache; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.replay_cache (
    signature text NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: schema_version; Type: TABLE; Schema: fixture; Owner: -
--

CREATE TABLE fixture.schema_version (
    version integer NOT NULL
);


--
-- Data for Name: account_secrets; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.account_secrets OVERRIDING SYSTEM VALUE VALUES (1, 'fixture-ak', '\xed7f397ada49ab2052acd6455f6e46e4857efc32cc1871c8b894ea6cb9a930d86280f4b26301b56aa14998c021779fb497571ce0ee94e3ef8b1e4c69a78e709fe72661f7', 1796585000150);
INSERT INTO fixture.account_secrets OVERRIDING SYSTEM VALUE VALUES (2, 'fixture-ak', '\xaf8a59da7a44ebe109b93dc6f08a4396357067d0ce1a5e273c949a8483421df6f4fc1c3758898c5e97246d9258f0399438f010fbd5234b40da82b1938f6f9d16b2aa32ba', 1796585000372);


--
-- Data for Name: accounts; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.accounts VALUES ('fixture-ak', '1,2', false, false, 'made by 0.9.0', 1796585000150, 1796585000150);


--
-- Data for Name: audit; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (1, 1796584998699, 'ccfs-dev-ak', 1, '127.0.0.1', 'uploadFile', 'Y:/3rdfile/1/thirdvoicebotfile/BwylCzK1_1796584998747.wav', '0', 96);
INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (2, 1796584999024, 'ccfs-dev-ak', 1, '127.0.0.1', 'uploadFile', 'Y:/3rdfile/1/thirdvoicebotfile/4Q68dm09_1796584999025.wav', '0', 11);
INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (3, 1796584999258, 'ccfs-dev-ak', 1, '127.0.0.1', 'uploadFile', 'Y:/3rdfile/1/thirdvoicebotfile/ZrU7086P_1796584999258.wav', '0', 6);
INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (4, 1796584999506, 'ccfs-dev-ak', 1, '127.0.0.1', 'deleteFile', 'Y:/3rdfile/1/thirdvoicebotfile/ZrU7086P_1796584999258.wav', '0', 17);
INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (5, 1796584999699, 'ccfs-dev-ak', NULL, '127.0.0.1', 'admin:setGlobalParameters', 'parameters:global {"uploadSizeLimitMb":10}', '200', 49);
INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (6, 1796584999939, 'ccfs-dev-ak', 1, '127.0.0.1', 'admin:setVdnParameters', 'parameters:vdn:1 {"acceptedEncodings":"alaw,mulaw"}', '200', 9);
INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (7, 1796585000136, 'ccfs-dev-ak', NULL, '127.0.0.1', 'admin:createAccount', 'account:fixture-ak', '201', 40);
INSERT INTO fixture.audit OVERRIDING SYSTEM VALUE VALUES (8, 1796585000366, 'ccfs-dev-ak', NULL, '127.0.0.1', 'admin:rotateAccountSecret', 'account:fixture-ak', '200', 10);


--
-- Data for Name: catalog_probe; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.catalog_probe VALUES (1, '0bc4a14ca9c6', '2026-12-06 19:23:18.450069+00');


--
-- Data for Name: change_version; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.change_version VALUES (1, 4);


--
-- Data for Name: file_copies; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.file_copies VALUES ('/3rdfile/1/thirdvoicebotfile/BwylCzK1_1796584998747.wav', '0', 1, NULL, 0);
INSERT INTO fixture.file_copies VALUES ('/3rdfile/1/thirdvoicebotfile/4Q68dm09_1796584999025.wav', '0', 1, NULL, 0);


--
-- Data for Name: files; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.files VALUES ('/3rdfile/1/thirdvoicebotfile/BwylCzK1_1796584998747.wav', 'Y:/3rdfile/1/thirdvoicebotfile/BwylCzK1_1796584998747.wav', 1, 8058, '6414de0d6b572dee6a5033c8e893378e7a96c93110eafa8c718fb07cc0b74160', 'alaw', 1000, 'ccfs-dev-ak', 1796584998747, 1, NULL);
INSERT INTO fixture.files VALUES ('/3rdfile/1/thirdvoicebotfile/4Q68dm09_1796584999025.wav', 'Y:/3rdfile/1/thirdvoicebotfile/4Q68dm09_1796584999025.wav', 1, 8058, '6414de0d6b572dee6a5033c8e893378e7a96c93110eafa8c718fb07cc0b74160', 'alaw', 1000, 'ccfs-dev-ak', 1796584999025, 1, NULL);


--
-- Data for Name: ip_failures; Type: TABLE DATA; Schema: fixture; Owner: -
--



--
-- Data for Name: ip_locks; Type: TABLE DATA; Schema: fixture; Owner: -
--



--
-- Data for Name: master_key_check; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.master_key_check VALUES (1, '\xa92c75e4996b97d3bd48e0bb3cc24f9e2398535a6b818d01cba1fb5a36884e4f5765528bc2800500a97d0a0c7adb09b297');


--
-- Data for Name: nodes; Type: TABLE DATA; Schema: fixture; Owner: -
--



--
-- Data for Name: parameter_overrides; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.parameter_overrides VALUES ('global', '{"uploadSizeLimitMb":10,"uploadPathRule":null,"downloadPathRule":null,"driveLetter":null,"acceptedEncodings":null}', 1796584999727);
INSERT INTO fixture.parameter_overrides VALUES ('vdn:1', '{"uploadSizeLimitMb":null,"uploadPathRule":null,"downloadPathRule":null,"driveLetter":null,"acceptedEncodings":"alaw,mulaw"}', 1796584999943);


--
-- Data for Name: replay_cache; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.replay_cache VALUES ('ccfs-dev-ak/5fea51fb831be656075c4876cf3eb84a4bfb8ea66312a21c51d95a9fcab0bc7c', '2026-12-06 19:38:19.654+00');
INSERT INTO fixture.replay_cache VALUES ('ccfs-dev-ak/92b7f4d27475dc0f14cab5b0a4e6388a65e6f5e3a901ac669e22a704bd8d3f91', '2026-12-06 19:38:19.885+00');
INSERT INTO fixture.replay_cache VALUES ('ccfs-dev-ak/98eb17e05d370817291304bbe397f519de94722a8142cd1682475b91a3bcd7ea', '2026-12-06 19:38:20.088+00');
INSERT INTO fixture.replay_cache VALUES ('ccfs-dev-ak/871237be0ee2812b33db0e02a7ac73e0a9d45d3627e28b556863702ef311c6ab', '2026-12-06 19:38:20.318+00');


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: fixture; Owner: -
--

INSERT INTO fixture.schema_version VALUES (1);
INSERT INTO fixture.schema_version VALUES (2);


--
-- Name: account_secrets_secret_id_seq; Type: SEQUENCE SET; Schema: fixture; Owner: -
--

SELECT pg_catalog.setval('fixture.account_secrets_secret_id_seq', 2, true);


--
-- Name: audit_id_seq; Type: SEQUENCE SET; Schema: fixture; Owner: -
--

SELECT pg_catalog.setval('fixture.audit_id_seq', 8, true);


--
-- Name: account_secrets account_secrets_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.account_secrets
    ADD CONSTRAINT account_secrets_pkey PRIMARY KEY (secret_id);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (access_key);


--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (id);


--
-- Name: catalog_probe catalog_probe_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.catalog_probe
    ADD CONSTRAINT catalog_probe_pkey PRIMARY KEY (id);


--
-- Name: change_version change_version_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.change_version
    ADD CONSTRAINT change_version_pkey PRIMARY KEY (id);


--
-- Name: file_copies file_copies_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.file_copies
    ADD CONSTRAINT file_copies_pkey PRIMARY KEY (path, location_id);


--
-- Name: files files_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.files
    ADD CONSTRAINT files_pkey PRIMARY KEY (path);


--
-- Name: ip_failures ip_failures_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.ip_failures
    ADD CONSTRAINT ip_failures_pkey PRIMARY KEY (address);


--
-- Name: ip_locks ip_locks_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.ip_locks
    ADD CONSTRAINT ip_locks_pkey PRIMARY KEY (address);


--
-- Name: master_key_check master_key_check_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.master_key_check
    ADD CONSTRAINT master_key_check_pkey PRIMARY KEY (id);


--
-- Name: nodes nodes_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.nodes
    ADD CONSTRAINT nodes_pkey PRIMARY KEY (instance);


--
-- Name: parameter_overrides parameter_overrides_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.parameter_overrides
    ADD CONSTRAINT parameter_overrides_pkey PRIMARY KEY (scope);


--
-- Name: replay_cache replay_cache_pkey; Type: CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.replay_cache
    ADD CONSTRAINT replay_cache_pkey PRIMARY KEY (signature);


--
-- Name: account_secrets_by_account; Type: INDEX; Schema: fixture; Owner: -
--

CREATE INDEX account_secrets_by_account ON fixture.account_secrets USING btree (access_key);


--
-- Name: audit_by_time; Type: INDEX; Schema: fixture; Owner: -
--

CREATE INDEX audit_by_time ON fixture.audit USING btree (at_ms);


--
-- Name: file_copies_deleting; Type: INDEX; Schema: fixture; Owner: -
--

CREATE INDEX file_copies_deleting ON fixture.file_copies USING btree (state) WHERE (state <> 1);


--
-- Name: files_by_vdn; Type: INDEX; Schema: fixture; Owner: -
--

CREATE INDEX files_by_vdn ON fixture.files USING btree (vdn_id, created_at_ms);


--
-- Name: files_unfinished; Type: INDEX; Schema: fixture; Owner: -
--

CREATE INDEX files_unfinished ON fixture.files USING btree (state) WHERE (state <> 1);


--
-- Name: ip_failures_by_window; Type: INDEX; Schema: fixture; Owner: -
--

CREATE INDEX ip_failures_by_window ON fixture.ip_failures USING btree (window_start);


--
-- Name: replay_cache_by_expiry; Type: INDEX; Schema: fixture; Owner: -
--

CREATE INDEX replay_cache_by_expiry ON fixture.replay_cache USING btree (expires_at);


--
-- Name: account_secrets account_secrets_access_key_fkey; Type: FK CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.account_secrets
    ADD CONSTRAINT account_secrets_access_key_fkey FOREIGN KEY (access_key) REFERENCES fixture.accounts(access_key) ON DELETE CASCADE;


--
-- Name: file_copies file_copies_path_fkey; Type: FK CONSTRAINT; Schema: fixture; Owner: -
--

ALTER TABLE ONLY fixture.file_copies
    ADD CONSTRAINT file_copies_path_fkey FOREIGN KEY (path) REFERENCES fixture.files(path) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


