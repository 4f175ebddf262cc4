#!/usr/bin/env node
import '../dist/bundle/feedloom.mjs'
