"""Claims with verified quotes, discussion links, topic tags and concepts for the parsed cells."""
