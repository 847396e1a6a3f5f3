-- Run by the postgres image once its database is created: the schema the test expects.
CREATE TABLE greetings (id int PRIMARY KEY, text varchar NOT NULL);
