CREATE TABLE greetings (id int);
