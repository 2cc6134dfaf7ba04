DROP TABLE program_items;
DROP TABLE program_versions;
DROP TABLE programs;
