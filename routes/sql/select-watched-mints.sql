-- Every mint some user watches: always subscribed for trades and always persisted.
SELECT DISTINCT mint FROM token_watch
