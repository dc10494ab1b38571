-- The schema of a new SQLite diary at revision 0007, generated from the models by
-- python -m musclewise.diary.schema_sqlite (do not edit by hand).

CREATE TABLE account (
	id INTEGER NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	disabled BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	password_changed_at DATETIME NOT NULL, 
	CONSTRAINT pk_account PRIMARY KEY (id), 
	CONSTRAINT uq_account_email UNIQUE (email)
);

CREATE TABLE login_failure (
	id INTEGER NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	at DATETIME NOT NULL, 
	address VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_login_failure PRIMARY KEY (id)
);

CREATE INDEX ix_login_failure_address_at ON login_failure (address, at);

CREATE INDEX ix_login_failure_at ON login_failure (at);

CREATE INDEX ix_login_failure_email_at ON login_failure (email, at);

CREATE TABLE web_state (
	id VARCHAR(64) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	owner VARCHAR(200) NOT NULL, 
	data JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME, 
	CONSTRAINT pk_web_state PRIMARY KEY (id)
);

CREATE INDEX ix_web_state_expires_at ON web_state (expires_at);

CREATE TABLE api_token (
	id INTEGER NOT NULL, 
	account_id INTEGER NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_used_at DATETIME, 
	revoked_at DATETIME, 
	CONSTRAINT pk_api_token PRIMARY KEY (id), 
	CONSTRAINT fk_api_token_account_id_account FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE, 
	CONSTRAINT uq_api_token_token_hash UNIQUE (token_hash)
);

CREATE INDEX ix_api_token_account_id ON api_token (account_id);

CREATE TABLE person (
	id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	sex VARCHAR(6), 
	birth_year INTEGER, 
	pregnant BOOLEAN, 
	created_at DATETIME NOT NULL, 
	account_id INTEGER, 
	CONSTRAINT pk_person PRIMARY KEY (id), 
	CONSTRAINT ck_person_sex CHECK (sex IN ('female', 'male')), 
	CONSTRAINT ck_person_birth_year CHECK (birth_year >= 1850 AND birth_year <= 2300), 
	CONSTRAINT fk_person_account_id_account FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX ux_person_account_name ON person (account_id, name);

CREATE UNIQUE INDEX ux_person_name_no_account ON person (name) WHERE account_id IS NULL;

CREATE TABLE api_request (
	person_id INTEGER NOT NULL, 
	"key" VARCHAR(255) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	status INTEGER NOT NULL, 
	body BLOB NOT NULL, 
	location VARCHAR(300), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_api_request PRIMARY KEY (person_id, "key"), 
	CONSTRAINT fk_api_request_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);

CREATE INDEX ix_api_request_created_at ON api_request (created_at);

CREATE TABLE day_context (
	person_id INTEGER NOT NULL, 
	date DATE NOT NULL, 
	exercise_minutes FLOAT, 
	exercise_intense BOOLEAN, 
	fluids_litres FLOAT, 
	fluids_low BOOLEAN, 
	caffeine_cups FLOAT, 
	alcohol_drinks FLOAT, 
	cigarettes INTEGER, 
	stress INTEGER, 
	sleep_hours FLOAT, 
	screen_hours FLOAT, 
	hot_environment BOOLEAN, 
	heavy_sweating BOOLEAN, 
	long_sitting_or_standing BOOLEAN, 
	cold_exposure BOOLEAN, 
	low_mineral_diet BOOLEAN, 
	medicines_missed TEXT, 
	notes TEXT, 
	CONSTRAINT pk_day_context PRIMARY KEY (person_id, date), 
	CONSTRAINT ck_day_context_stress CHECK (stress >= 0 AND stress <= 10), 
	CONSTRAINT fk_day_context_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);

CREATE TABLE episode (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	started_at DATETIME NOT NULL, 
	tz VARCHAR(64) NOT NULL, 
	duration_s FLOAT, 
	site VARCHAR(32) NOT NULL, 
	side VARCHAR(8), 
	pain INTEGER, 
	findings JSON NOT NULL, 
	notes TEXT, 
	kind VARCHAR(16) NOT NULL, 
	triage VARCHAR(16) NOT NULL, 
	assessment JSON NOT NULL, 
	knowledge_version VARCHAR(32) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	public_id VARCHAR(32) NOT NULL, 
	CONSTRAINT pk_episode PRIMARY KEY (id), 
	CONSTRAINT ck_episode_pain CHECK (pain >= 0 AND pain <= 10), 
	CONSTRAINT ck_episode_duration_s CHECK (duration_s >= 0), 
	CONSTRAINT fk_episode_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE, 
	CONSTRAINT uq_episode_public_id UNIQUE (public_id)
);

CREATE INDEX ix_episode_person_kind_started ON episode (person_id, kind, started_at);

CREATE INDEX ix_episode_person_started ON episode (person_id, started_at);

CREATE UNIQUE INDEX ux_episode_person_site_started ON episode (person_id, site, started_at);

CREATE TABLE job (
	id VARCHAR(32) NOT NULL, 
	person_id INTEGER NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	params JSON NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	error TEXT, 
	media_type VARCHAR(100), 
	result BLOB, 
	created_at DATETIME NOT NULL, 
	started_at DATETIME, 
	finished_at DATETIME, 
	expires_at DATETIME NOT NULL, 
	CONSTRAINT pk_job PRIMARY KEY (id), 
	CONSTRAINT ck_job_state CHECK (state IN ('queued', 'running', 'done', 'failed')), 
	CONSTRAINT fk_job_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);

CREATE INDEX ix_job_expires_at ON job (expires_at);

CREATE INDEX ix_job_person_id ON job (person_id);

CREATE TABLE login_session (
	id INTEGER NOT NULL, 
	account_id INTEGER NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	person_id INTEGER, 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	CONSTRAINT pk_login_session PRIMARY KEY (id), 
	CONSTRAINT fk_login_session_account_id_account FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE, 
	CONSTRAINT uq_login_session_token_hash UNIQUE (token_hash), 
	CONSTRAINT fk_login_session_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE SET NULL
);

CREATE INDEX ix_login_session_account_id ON login_session (account_id);

CREATE TABLE medicine (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	started_on DATE, 
	stopped_on DATE, 
	current_key VARCHAR(200), 
	CONSTRAINT pk_medicine PRIMARY KEY (id), 
	CONSTRAINT ck_medicine_stopped_after_started CHECK (stopped_on IS NULL OR started_on IS NULL OR stopped_on >= started_on), 
	CONSTRAINT fk_medicine_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);

CREATE INDEX ix_medicine_person_id ON medicine (person_id);

CREATE UNIQUE INDEX ux_medicine_person_current ON medicine (person_id, current_key);

CREATE TABLE person_condition (
	person_id INTEGER NOT NULL, 
	condition VARCHAR(40) NOT NULL, 
	CONSTRAINT pk_person_condition PRIMARY KEY (person_id, condition), 
	CONSTRAINT fk_person_condition_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);

CREATE TABLE share_link (
	id INTEGER NOT NULL, 
	account_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	label VARCHAR(100) NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	CONSTRAINT pk_share_link PRIMARY KEY (id), 
	CONSTRAINT fk_share_link_account_id_account FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE, 
	CONSTRAINT fk_share_link_person_id_person FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE, 
	CONSTRAINT uq_share_link_token_hash UNIQUE (token_hash)
);

CREATE INDEX ix_share_link_account_id ON share_link (account_id);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('0007');
